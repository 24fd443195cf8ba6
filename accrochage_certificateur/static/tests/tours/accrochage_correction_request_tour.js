import { registry } from "@web/core/registry";

// A manager handles a correction request from its arrival to its closure
// (test_correction_tour.py): from the holder's accepted passage, the request
// is recorded with its text, the 3-month deadline shows, closing it as
// unfounded without a justification is refused, with one it is closed; the
// list of requests then shows the overdue one first.
registry.category("web_tour.tours").add("accrochage_correction_request", {
    steps: () => [
        {
            content: "The holder's passage, accepted by the CDC",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value='accepted']",
        },
        {
            content: "Record the holder's request",
            trigger: "button[name='action_new_correction_request']",
            run: "click",
        },
        {
            content: "The request names the passage",
            trigger: "div[name='passage_ids'] .o_data_row:contains('Titulaire Visite')",
        },
        {
            content: "What the holder asks",
            trigger: "div[name='description'] .odoo-editor-editable",
            run: "editor Mon nom de naissance est DUPONT-MARTIN, pas DUPONT.",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The deadline is three months after the arrival",
            trigger: ".o_form_view div[name='deadline'] span:contains('20')",
        },
        {
            content: "Close it as unfounded at once",
            trigger: "button[name='action_mark_unfounded']",
            run: "click",
        },
        {
            content: "Refused: the justification is required",
            trigger: ".modal .modal-body:contains('unfounded'), .modal .modal-body:contains('infondée')",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Open the answer",
            trigger: ".o_notebook .nav-link[name='answer']",
            run: "click",
        },
        {
            content: "Write why the request is unfounded",
            trigger: "div[name='justification'] textarea",
            run: "edit L'acte de naissance fourni porte DUPONT : c'est ce qui a été envoyé.",
        },
        {
            content: "Close it as unfounded",
            trigger: "button[name='action_mark_unfounded']",
            run: "click",
        },
        {
            content: "The request is closed as unfounded",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value='unfounded']",
        },
        {
            content: "Open the Certifications menu",
            trigger:
                '.o_main_navbar button[data-menu-xmlid="accrochage_certificateur.menu_accrochage_root"]',
            run: "click",
        },
        {
            content: "Open the correction requests",
            trigger:
                '.dropdown-item[data-menu-xmlid="accrochage_certificateur.menu_accrochage_correction_request"]',
            run: "click",
        },
        {
            content: "The overdue request comes first, in red",
            trigger: ".o_list_view .o_data_row:first-child.text-danger:contains('Titulaire en retard')",
        },
    ],
});
