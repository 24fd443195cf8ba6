/**
 * "Fix" lands on the field to fix.
 *
 * An action may carry `accrochage_focus_field` in its context: the form
 * opens on the notebook tab that holds that field, scrolls to it, puts the
 * cursor in it and highlights it for a moment. Forms opened without that key
 * are left alone.
 */
import { onMounted } from "@odoo/owl";
import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";

const HIGHLIGHT = "o_accrochage_focus";

/** The `name` of the notebook page that holds `fieldName` in the form's arch. */
function pageOf(xmlDoc, fieldName) {
    const node = xmlDoc.querySelector(`field[name="${CSS.escape(fieldName)}"]`);
    return node?.closest("page")?.getAttribute("name") || null;
}

function nextFrame() {
    return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

async function focusField(root, xmlDoc, fieldName) {
    const page = pageOf(xmlDoc, fieldName);
    if (page) {
        const tab = root.querySelector(`.o_notebook .nav-link[name="${CSS.escape(page)}"]`);
        if (tab && !tab.classList.contains("active")) {
            tab.click();
        }
    }
    // the page's content is rendered after the tab is activated
    for (let attempt = 0; attempt < 20; attempt++) {
        const widget = root.querySelector(`.o_field_widget[name="${CSS.escape(fieldName)}"]`);
        if (widget) {
            widget.scrollIntoView({ block: "center" });
            widget.querySelector("input, select, textarea")?.focus();
            widget.classList.add(HIGHLIGHT);
            setTimeout(() => widget.classList.remove(HIGHLIGHT), 4000);
            return;
        }
        await nextFrame();
    }
}

patch(FormController.prototype, {
    setup() {
        super.setup(...arguments);
        const fieldName = this.props.context?.accrochage_focus_field;
        if (fieldName) {
            onMounted(() => focusField(this.rootRef.el, this.archInfo.xmlDoc, fieldName));
        }
    },
});
