import { registry } from "@web/core/registry";

const progress = ".o_form_view .o_contoso_nurture_progress";

registry.category("web_tour.tours").add("contoso_nurture", {
    steps: () => [
        {
            content: "Name the new deal",
            trigger: ".o_form_view .o_field_widget[name=name] :is(input, textarea)",
            run: "edit Tour nurture rollout",
        },
        {
            content: "Pick the corporate customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: "edit Tour Nurture Corp",
        },
        {
            content: "Select it",
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Nurture Corp')",
            run: "click",
        },
        {
            content: "Save the deal",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Step 1 is due today",
            trigger: `${progress}:contains('Nurturing 1/4 — Introduction call due')`,
        },
        {
            content: "Mark the introduction call done",
            trigger: ".o_form_view button[name=action_contoso_nurture_done]",
            run: "click",
        },
        {
            content: "The information email is next",
            trigger: `${progress}:contains('Nurturing 2/4 — Information email due')`,
        },
        {
            content: "Open the email composer",
            trigger: ".o_form_view button[name=action_contoso_nurture_send_email]",
            run: "click",
        },
        {
            content: "The composer is filled from the template",
            trigger: ".modal .o_mail_composer_form_view:contains('Alarm systems')",
        },
        {
            content: "Send it",
            trigger: ".modal button[name=action_send_mail]",
            run: "click",
        },
        {
            content: "The check-in email is next",
            trigger: `${progress}:contains('Nurturing 3/4 — Check-in email due')`,
        },
        {
            content: "Open the deal's nurturing history",
            trigger: ".o_form_view button[name=action_contoso_nurture_history]:contains('1')",
            run: "click",
        },
        {
            content: "Its enrolment, at the check-in email",
            trigger:
                ".o_list_view .o_data_row:contains('Tour nurture rollout'):contains('Check-in email')",
        },
    ],
});
