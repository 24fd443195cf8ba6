# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{  # noqa: B018 - an Odoo manifest is a bare dict
    "name": "Accrochage certificateur (CDC)",
    "summary": "Declare the certifications awarded to the Caisse des Dépôts "
    "(accrochage certificateur) from event sessions",
    "version": "19.0.1.4.0",
    "development_status": "Beta",
    "category": "Marketing/Events",
    "website": "https://github.com/accrochage/accrochage",
    "author": "Accrochage contributors",
    "maintainers": ["accrochage"],
    "license": "AGPL-3",
    "external_dependencies": {
        # "accrochage" is the pure-Python engine shipped in the same repository
        "python": ["accrochage", "lxml", "requests", "python-stdnum", "openpyxl"],
    },
    # l10n_fr_cog (OCA): the INSEE code of each country, for the birth country;
    # l10n_fr_siret (OCA): the SIRET of partner organisations, checked
    "depends": ["event", "base_automation", "mail", "l10n_fr_cog", "l10n_fr_siret"],
    "data": [
        "security/accrochage_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_template_data.xml",
        "views/accrochage_certification_views.xml",
        "views/accrochage_certifier_views.xml",
        "views/accrochage_partner_organisation_views.xml",
        "views/accrochage_partner_habilitation_views.xml",
        "views/accrochage_passage_views.xml",
        "views/accrochage_passage_partner_views.xml",
        "views/accrochage_deposit_views.xml",
        "views/accrochage_deposit_file_views.xml",
        "views/accrochage_correction_request_views.xml",
        "views/event_type_views.xml",
        "views/event_event_views.xml",
        "views/event_registration_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/accrochage_insertion_survey_views.xml",
        "views/accrochage_insertion_survey_templates.xml",
        "wizards/accrochage_receipt_import_views.xml",
        "wizards/accrochage_passage_import_views.xml",
        "wizards/accrochage_passage_import_partner_views.xml",
        "wizards/accrochage_passage_resend_views.xml",
        "report/accrochage_report_session_views.xml",
        "report/accrochage_report_deadline_views.xml",
        "report/accrochage_deposit_reports.xml",
        "report/accrochage_deposit_templates.xml",
        "report/accrochage_bilan_reports.xml",
        "report/accrochage_bilan_templates.xml",
        "wizards/accrochage_bilan_wizard_views.xml",
        "views/accrochage_menus.xml",
        "data/ir_actions_server_data.xml",
        "data/base_automation_data.xml",
    ],
    "demo": [
        "demo/accrochage_demo.xml",
        "demo/accrochage_partner_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "accrochage_certificateur/static/src/js/*.js",
            "accrochage_certificateur/static/src/scss/*.scss",
        ],
        "web.assets_tests": [
            "accrochage_certificateur/static/tests/tours/*.js",
        ],
    },
    # a sample CDC receipt of the demo deposit, for the user to import
    "oca_data_manual": ["demo/accuse_traitement_demo.xml"],
}
