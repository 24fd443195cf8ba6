# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{  # noqa: B018 - an Odoo manifest is a bare dict
    "name": "Accrochage certificateur: insertion surveys in the Survey app",
    "summary": "Holders answer their insertion survey in Odoo's Survey app "
    "instead of the module's one-page form",
    "version": "19.0.1.0.0",
    "development_status": "Beta",
    "category": "Marketing/Surveys",
    "website": "https://github.com/accrochage/accrochage",
    "author": "Accrochage contributors",
    "maintainers": ["accrochage"],
    "license": "AGPL-3",
    "depends": ["survey", "accrochage_certificateur"],
    "data": [
        "data/survey_data.xml",
        "views/accrochage_insertion_survey_views.xml",
    ],
    "auto_install": True,
}
