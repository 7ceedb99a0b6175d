import { registry } from "@web/core/registry";

const kingdom = ".o_contoso_white_space tr[data-partner='Tour Puppy Kingdom']";

registry.category("web_tour.tours").add("contoso_family", {
    steps: () => [
        {
            content: "The biggest family comes first in Top Customers",
            trigger:
                ".o_list_view tbody tr.o_group_header:first-child:contains('Tour Dogs Extraordinaire')",
        },
        {
            content: "GalacticSpace comes after it",
            trigger: ".o_list_view tr.o_group_header:contains('Tour GalacticSpace')",
        },
        {
            content: "A person buying for himself is no family of companies",
            trigger: ".o_list_view:not(:contains('Tour Joel Willis'))",
        },
        {
            content: "Open the family's white space from its row, still folded",
            trigger:
                ".o_list_view tbody tr.o_group_header:first-child:not(.o_group_open) button:contains('White Space')",
            run: "click",
        },
        {
            content: "The matrix shows what the family bought and its potential",
            trigger: ".o_contoso_white_space .o_contoso_white_space_potential",
        },
        {
            content: "Puppy Kingdom never bought installation: cross-sell it",
            trigger: `${kingdom} .o_contoso_cross_sell`,
            run: "click",
        },
        {
            content: "The cross-sell deal opens with its product line",
            trigger: ".o_form_view .o_field_widget[name=deal_line_ids]:contains('Tour Install')",
        },
        {
            content: "It is tagged Cross-sell",
            trigger: ".o_form_view .o_field_widget[name=tag_ids]:contains('Cross-sell')",
        },
    ],
});
