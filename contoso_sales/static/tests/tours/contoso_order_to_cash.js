import { registry } from "@web/core/registry";

const PRODUCT = "Contoso Smart Doorbell Pro";
const lines = ".o_form_view .o_field_widget[name=deal_line_ids]";
const line = `${lines} .o_data_row`;

// The salesperson's part of the order-to-cash flow: the trade-show lead becomes
// a deal, gets 20 doorbells at 15% off, a quotation, an order, and no way to
// invoice it.
registry.category("web_tour.tours").add("contoso_order_to_cash", {
    steps: () => [
        {
            content: "Convert the trade-show lead",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Convert to Deal')",
            run: "click",
        },
        {
            content: "A new customer is created from the lead",
            trigger: ".modal .o_field_widget[name=action] input[data-value=create]:checked",
        },
        {
            content: "Create the deal",
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            content: "The deal opens, with its Products tab",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Products')",
            run: "click",
        },
        {
            content: "Add a product line",
            trigger: `${lines} .o_field_x2many_list_row_add a`,
            run: "click",
        },
        {
            content: "Pick the doorbell",
            trigger: `${line} .o_field_widget[name=product_id] input`,
            run: `edit ${PRODUCT}`,
        },
        {
            content: "Select it",
            trigger: `.o-autocomplete--dropdown-item:contains('${PRODUCT}')`,
            run: "click",
        },
        {
            content: "20 of them",
            trigger: `${line} .o_field_widget[name=product_uom_qty] input`,
            run: "edit 20",
        },
        {
            content: "with a 15% discount",
            trigger: `${line} .o_field_widget[name=discount] input`,
            run: "edit 15",
        },
        {
            content: "Save the deal",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "The expected revenue follows the line: 20 × $250 − 15%",
            trigger: ".o_form_view .o_field_widget[name=expected_revenue]:contains('4,250')",
        },
        {
            content: "Make the quotation",
            trigger: ".o_form_view button[name=action_sale_quotations_new]",
            run: "click",
        },
        {
            content: "The quotation starts from the deal's line",
            trigger: `.o_form_view .o_field_widget[name=order_line] .o_data_row:contains('${PRODUCT}'):contains('15.00')`,
        },
        {
            content: "Confirm it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "It is a sales order",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Sales Order')",
        },
        {
            content: "Ready to invoice, but Sally has no Create Invoice button",
            trigger:
                ".o_form_view .o_statusbar_buttons:not(:has(button:contains('Create Invoice')))",
        },
    ],
});

const status = (name) =>
    `.o_form_view .o_statusbar_status .o_arrow_button_current:contains('${name}')`;

// The purchaser confirms the request for quotation the reorder rule made.
registry.category("web_tour.tours").add("contoso_order_to_cash_purchase", {
    steps: () => [
        {
            content: "Confirm the request for quotation",
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_confirm]",
            run: "click",
        },
        {
            content: "It is a purchase order",
            trigger: status("Purchase Order"),
        },
    ],
});

// The stock user validates a receipt or a delivery.
registry.category("web_tour.tours").add("contoso_order_to_cash_validate", {
    steps: () => [
        {
            content: "Validate the transfer",
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]",
            run: "click",
        },
        {
            content: "It is done",
            trigger: status("Done"),
        },
    ],
});

// The accountant invoices the delivered order and registers the payment.
registry.category("web_tour.tours").add("contoso_order_to_cash_invoice", {
    steps: () => [
        {
            content: "Create the invoice",
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Create Invoice')",
            run: "click",
        },
        {
            content: "As a draft",
            trigger: ".modal button[name=create_invoices]",
            run: "click",
        },
        {
            content: "Confirm the invoice",
            trigger:
                ".o_form_view .o_statusbar_buttons button[name=action_post]:contains('Confirm')",
            run: "click",
        },
        {
            content: "Register the customer's payment",
            trigger:
                ".o_form_view .o_statusbar_buttons button[name=action_register_payment]:contains('Pay')",
            run: "click",
        },
        {
            content: "Create it",
            trigger: ".modal button[name=action_create_payments]",
            run: "click",
        },
        {
            content: "The invoice is paid",
            trigger: ".o_form_view .ribbon:contains('Paid')",
        },
    ],
});
