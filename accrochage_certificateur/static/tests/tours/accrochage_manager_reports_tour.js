import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

const MENU = "accrochage_certificateur.menu_accrochage_root";

function openMenu(xmlid, content) {
    return [
        {
            content: "Open the Certifications menu",
            trigger: `.o_main_navbar button[data-menu-xmlid="${MENU}"]`,
            run: "click",
        },
        {
            content,
            trigger: `.dropdown-item[data-menu-xmlid="accrochage_certificateur.${xmlid}"]`,
            run: "click",
        },
    ];
}

// A manager opens the indicators, the deadline board and the Bilan from the
// menu (test_views.py runs it; any console error fails it).
registry.category("web_tour.tours").add("accrochage_manager_reports", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("event.event_main_menu", "Open the Events app"),
        ...openMenu("menu_accrochage_report_session", "Open the indicators"),
        {
            content: "The rates by certification and year are shown",
            trigger: ".o_pivot_view .o_pivot_measure_row:contains('%')",
            timeout: 30000, // a 2-core CI machine shared with other jobs
        },
        ...openMenu("menu_accrochage_report_deadline", "Open the deadline board"),
        {
            content: "The board lists the passages grouped by certification",
            trigger: ".o_list_view .o_group_header",
            timeout: 30000, // a 2-core CI machine shared with other jobs
        },
        ...openMenu("menu_accrochage_bilan", "Open the Bilan"),
        {
            content: "Print it",
            trigger: ".modal button[name='action_print']",
            run: "click",
        },
        {
            content: "The Bilan shows, with its chart",
            trigger: ":iframe .o_accrochage_bilan .o_accrochage_bilan_chart svg",
            timeout: 30000, // a 2-core CI machine shared with other jobs
        },
    ],
});
