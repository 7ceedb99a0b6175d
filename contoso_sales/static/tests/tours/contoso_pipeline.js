import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("contoso_pipeline", {
    steps: () => [
        {
            content: "The pipeline shows the Contoso stages, Qualify first",
            trigger: ".o_kanban_group:first-child .o_column_title:contains('Qualify')",
        },
        {
            content: "The deal sits in Quote",
            trigger:
                ".o_kanban_group:has(.o_column_title:contains('Quote')) .o_kanban_record:contains('Tour alarm rollout')",
        },
        {
            content: "No shared Odoo stage is shown to the Contoso team",
            trigger: ".o_kanban_renderer:not(:has(.o_column_title:contains('Proposition')))",
        },
        {
            content: "Open the deal",
            trigger: ".o_kanban_record:contains('Tour alarm rollout')",
            run: "click",
        },
        {
            content: "The deal form shows it in Quote, in the Contoso stage bar",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Quote')",
        },
    ],
});
