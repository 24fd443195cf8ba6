/**
 * The certifier's day, in a browser (tests/test_tour.py sets the data up).
 *
 * Open the formation, close its session, open "À corriger", click
 * "Corriger", fix the holder, check again, build the deposit, mark it sent,
 * import a receipt with one KO, see the KO in "À corriger".
 *
 * The receipt is made here, from the deposit's idFlux and idTechniques, and
 * put into the wizard's file input as a File: the upload goes through the
 * same widget a user drops a file on.
 *
 * `accrochage-screenshot:NAME` on the console asks the test for a screenshot;
 * the step then waits a moment so that the picture shows this screen.
 */
import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

const SESSION = "Session de juin visite";
const FIXED = "Nadia Tourneur";
const NOT_FOUND = "Aucun titulaire ne correspond aux critères obligatoires";

function screenshot(name) {
    return {
        content: `screenshot: ${name}`,
        trigger: "body:not(:has(.o_loading_indicator))",
        async run() {
            console.log(`accrochage-screenshot:${name}`);
            await new Promise((resolve) => setTimeout(resolve, 1500));
        },
    };
}

function menu(xmlid) {
    return [
        {
            content: "open the Certifications menu",
            trigger: "button[data-menu-xmlid='accrochage_certificateur.menu_accrochage_root']",
            run: "click",
        },
        {
            content: `open ${xmlid}`,
            trigger: `.dropdown-item[data-menu-xmlid='accrochage_certificateur.${xmlid}']`,
            run: "click",
        },
    ];
}

async function call(model, method, args, kwargs = {}) {
    return rpc(`/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs });
}

/** The CDC's accusé de traitement of the last deposit sent: FIXED's passage KO. */
async function receiptOfLastDeposit() {
    const [deposit] = await call("accrochage.deposit", "search_read", [
        [["state", "=", "sent"]],
        ["id_flux"],
    ], { order: "id desc", limit: 1 });
    const lines = await call("accrochage.deposit.line", "search_read", [
        [["deposit_id", "=", deposit.id]],
        ["id_technique", "partner_id"],
    ]);
    const ko = lines.filter((line) => line.partner_id[1].includes(FIXED));
    const ok = lines.filter((line) => !line.partner_id[1].includes(FIXED));
    if (ko.length !== 1 || !ok.length) {
        throw new Error(`unexpected deposit lines: ${JSON.stringify(lines)}`);
    }
    const kos = ko
        .map(
            (line) =>
                `<passage><idTechnique>${line.id_technique}</idTechnique>` +
                `<messageErreur>${NOT_FOUND}</messageErreur></passage>`
        )
        .join("");
    const oks = ok.map((line) => `<idTechnique>${line.id_technique}</idTechnique>`).join("");
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">' +
        `<nomFichier>depot.xml</nomFichier><idFlux>${deposit.id_flux}</idFlux>` +
        `<idTraitement>4242</idTraitement><PassagesKO>${kos}</PassagesKO>` +
        `<PassagesOK>${oks}</PassagesOK></rapport>`
    );
}

registry.category("web_tour.tours").add("accrochage_certifier_day", {
    steps: () => [
        {
            content: "a window tall enough for the screenshots",
            trigger: ".o_form_view",
            async run() {
                console.log("accrochage-viewport");
                await new Promise((resolve) => setTimeout(resolve, 500));
            },
        },
        // the formation, and its session
        {
            content: "the formation carries its certification",
            trigger: ".o_form_view .o_field_widget[name=name] input:value(Formation paie visite)",
        },
        {
            content: "open the formation's sessions",
            trigger: "button[name=action_view_accrochage_sessions]",
            run: "click",
        },
        {
            content: "open the session",
            trigger: `.o_list_view .o_data_row td:contains(${SESSION})`,
            run: "click",
        },
        // the attendee booked by an employer: the holder is the attendee
        {
            content: "open the session's attendees",
            trigger: ".o_form_view .oe_stat_button:has(i.fa-users)",
            run: "click",
        },
        {
            content: "open the attendee booked by an employer",
            trigger: `.o_data_row td:contains(${FIXED})`,
            run: "click",
        },
        {
            content: "the holder is the attendee, not the employer who booked",
            trigger: `.o_field_widget[name=accrochage_holder_id] input:value(${FIXED})`,
        },
        {
            content: "the civil status is one click away",
            trigger: "button[name=action_open_accrochage_holder]",
        },
        screenshot("attendee_form"),
        { content: "back to the attendees", trigger: ".o_back_button", run: "click" },
        { content: "back to the session", trigger: ".o_back_button", run: "click" },
        // close the session: the automation makes the passages
        {
            content: "close the session",
            trigger: ".o_statusbar_status button:contains(Terminé)",
            run: "click",
        },
        {
            content: "two passages, one per admitted attendee",
            trigger: "button[name=action_view_accrochage_passages] .o_stat_value:contains(2)",
        },
        // À corriger
        ...menu("menu_accrochage_passage_fix"),
        {
            content: "the incomplete passage waits in À corriger, with where to fix it",
            trigger: `.o_data_row:contains(${FIXED}) td[name=issue_hint]:contains(sur le titulaire)`,
        },
        screenshot("to_fix"),
        {
            content: "Corriger",
            trigger: `.o_data_row:contains(${FIXED}) button[name=action_open_fix]`,
            run: "click",
        },
        // the holder's form, on the tab and the field to fix
        {
            content: "the contact opens on its Certification tab",
            trigger: ".o_notebook .nav-link.active[name=accrochage]",
        },
        {
            content: "on the field to fix",
            trigger: ".o_field_widget.o_accrochage_focus[name=accrochage_sex]",
        },
        {
            content: "the birth year is shown without a thousands separator",
            trigger: ".o_field_widget[name=accrochage_birth_year] input:value(1988)",
        },
        screenshot("holder_form"),
        {
            content: "fix the holder: choose the sex",
            trigger: ".o_field_widget[name=accrochage_sex] input",
            run: "click",
        },
        {
            content: "Féminin",
            trigger: ".o_select_menu_item:contains(Féminin)",
            run: "click",
        },
        // the form is dirty once the choice is taken: ".o_form_saved" alone
        // would also match a form whose change was not registered yet
        {
            content: "the sex is chosen, not saved yet",
            trigger: ".o_form_dirty .o_field_widget[name=accrochage_sex] input:value(Féminin)",
        },
        { content: "save the contact", trigger: ".o_form_button_save", run: "click" },
        {
            content: "saved",
            trigger: ".o_form_saved .o_field_widget[name=accrochage_sex] input:value(Féminin)",
        },
        // check again, from the session
        { content: "back to À corriger", trigger: ".o_back_button", run: "click" },
        {
            content: "the fixed passage left À corriger",
            trigger: `.o_list_view:not(:has(.o_data_row:contains(${FIXED})))`,
        },
        {
            content: "open the Events",
            trigger: "a[data-menu-xmlid='event.menu_event_event'], button[data-menu-xmlid='event.menu_event_event']",
            run: "click",
        },
        { content: "as a list", trigger: "button.o_switch_view.o_list", run: "click" },
        {
            content: "open the session again",
            trigger: `.o_list_view .o_data_row td:contains(${SESSION})`,
            run: "click",
        },
        {
            content: "its Certification tab",
            trigger: ".o_notebook .nav-link[name=accrochage]",
            run: "click",
        },
        {
            content: "check the passages again",
            trigger: "button[name=action_accrochage_recheck]",
            run: "click",
        },
        {
            content: "both passages are ready",
            trigger: ".o_notification:contains(2 passage):contains(prêt)",
        },
        {
            content: "build the deposit",
            trigger: "button[name=action_accrochage_build_deposit]",
            run: "click",
        },
        // the deposit
        {
            content: "the deposit is generated and valid",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=generated]",
        },
        {
            content: "each passage is new",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains(Nouveau)",
        },
        screenshot("deposit_form"),
        {
            content: "mark it as uploaded on the CDC portal",
            trigger: "button[name=action_mark_sent]",
            run: "click",
        },
        {
            content: "sent",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=sent]",
        },
        // the CDC's receipt, with one KO
        {
            content: "import the processing receipt",
            trigger: "button[name=action_import_receipt]",
            run: "click",
        },
        {
            content: "the wizard is titled with its name",
            trigger: ".modal .modal-title:contains(accusé de traitement)",
        },
        {
            content: "load the receipt into the file field",
            trigger: ".modal .o_field_widget[name=file]",
            async run(helpers) {
                const xml = await receiptOfLastDeposit();
                const input = helpers.anchor.querySelector("input[type=file]");
                const transfer = new DataTransfer();
                transfer.items.add(
                    new File([xml], "accuse-traitement.xml", { type: "application/xml" })
                );
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "the file is loaded",
            trigger: ".modal .o_field_widget[name=file] input.o_input:value(accuse-traitement.xml)",
        },
        { content: "import", trigger: ".modal button[name=action_import]", run: "click" },
        {
            content: "the deposit is processed",
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value=processed]",
        },
        {
            content: "one passage rejected",
            trigger: ".o_field_widget[name=rejected_count]:contains(1)",
        },
        // the KO is back in À corriger
        ...menu("menu_accrochage_passage_fix"),
        {
            content: "the rejected passage is in À corriger with the CDC's message",
            trigger: `.o_data_row:contains(${FIXED}):contains(Rejeté):contains(Aucun titulaire)`,
        },
        screenshot("to_fix_after_receipt"),
    ],
});
