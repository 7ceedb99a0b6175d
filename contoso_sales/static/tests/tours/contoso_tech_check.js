import { registry } from "@web/core/registry";

const DEAL = "Tour HQ alarm rollout";
const closeColumn = ".o_kanban_group:has(.o_column_title:contains('Close'))";
const techCheckColumn = ".o_kanban_group:has(.o_column_title:contains('Tech Check'))";

registry.category("web_tour.tours").add("contoso_tech_check_blocked", {
    steps: () => [
        {
            content: "The $48,000 deal carries the 'Needs tech check' badge",
            trigger: `${techCheckColumn} .o_kanban_record:contains('${DEAL}') .o_contoso_tech_check_badge`,
        },
        {
            content: "Drag it to Close",
            trigger: `.o_kanban_record:contains('${DEAL}')`,
            run: `drag_and_drop (${closeColumn})`,
        },
        {
            content: "The server refuses, naming the deal, amount and threshold",
            trigger:
                ".modal:contains('needs a passed tech check before Close'):contains('$ 48,000.00'):contains('$ 20,000.00')",
        },
        {
            content: "Dismiss the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The deal stays in Tech Check",
            trigger: `${techCheckColumn} .o_kanban_record:contains('${DEAL}')`,
        },
    ],
});

registry.category("web_tour.tours").add("contoso_tech_check_log", {
    steps: () => [
        {
            content: "The consultant opens the deal from 'My Tech Checks to Do'",
            trigger: `.o_data_row:contains('${DEAL}') .o_data_cell[name=name]`,
            run: "click",
        },
        {
            content: "Log a tech check",
            trigger: ".o_form_view button[name=action_contoso_log_tech_check]",
            run: "click",
        },
        {
            content: "Describe what was verified",
            trigger: ".modal .o_field_widget[name=details] .odoo-editor-editable",
            run: "editor Site survey done: 40 door sensors, 6 cameras, wiring verified.",
        },
        {
            content: "Passed",
            trigger: ".modal .o_field_widget[name=result] input[data-value=pass]",
            run: "click",
        },
        {
            content: "Save the check",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The deal now shows one passed tech check",
            trigger: ".o_form_view button[name=action_contoso_view_tech_checks]:contains('1')",
        },
    ],
});

registry.category("web_tour.tours").add("contoso_tech_check_passed", {
    steps: () => [
        {
            content: "The deal shows its passed tech check",
            trigger: `.o_kanban_record:contains('${DEAL}'):contains('Tech check passed')`,
        },
        {
            content: "Drag it to Close again",
            trigger: `.o_kanban_record:contains('${DEAL}')`,
            run: `drag_and_drop (${closeColumn})`,
        },
        {
            content: "This time the deal lands in Close",
            trigger: `${closeColumn} .o_kanban_record:contains('${DEAL}')`,
        },
    ],
});
