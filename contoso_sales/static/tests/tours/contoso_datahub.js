import { registry } from "@web/core/registry";

const CSV =
    "ContactId,First Name,Last Name,E-Mail,DateOfBirth\r\n" +
    "TC1,Zoé,Tourdupont, Zoe.Tour@Example.com ,1980-05-06\r\n" +
    ",No,Key,nokey@example.com,1980-05-06\r\n";

registry.category("web_tour.tours").add("contoso_datahub", {
    steps: () => [
        {
            content: "Open the Customer Data menu",
            trigger: ".o_main_navbar .dropdown-toggle:contains('Customer Data')",
            run: "click",
        },
        {
            content: "Import contacts",
            trigger: ".dropdown-item:contains('Import Contacts')",
            run: "click",
        },
        {
            content: "Pick the exported file",
            trigger: ".modal .o_field_widget[name=file]",
            run() {
                const input = this.anchor.querySelector("input[type=file]");
                const file = new File([CSV], "tour_contacts.csv", { type: "text/csv" });
                const transfer = new DataTransfer();
                transfer.items.add(file);
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "The file is loaded",
            trigger: ".modal .o_field_widget[name=file] .fa-trash",
        },
        {
            content: "Import it",
            trigger: ".modal button[name=action_import]",
            run: "click",
        },
        {
            content: "The batch shows one contact created",
            trigger: ".o_form_view .o_field_widget[name=rows_created]:contains('1')",
        },
        {
            content: "and one row refused",
            trigger: ".o_form_view .o_field_widget[name=rows_failed]:contains('1')",
        },
        {
            content: "with its reason",
            trigger: ".o_form_view .o_field_widget[name=error_ids]:contains('ContactId is empty')",
        },
        {
            content: "The error file can be downloaded",
            trigger:
                ".o_form_view .o_field_widget[name=error_file]:contains('tour_contacts-errors.csv')",
        },
        {
            content: "Open the Customer Data menu again",
            trigger: ".o_main_navbar .dropdown-toggle:contains('Customer Data')",
            run: "click",
        },
        {
            content: "Open Customers",
            trigger: ".dropdown-item:contains('Customers')",
            run: "click",
        },
        {
            content: "Open the imported customer",
            trigger: ".o_list_view .o_data_row td:contains('Zoé Tourdupont')",
            run: "click",
        },
        {
            content: "Open the Customer 360 tab",
            trigger: ".o_form_view .o_notebook a:contains('Customer 360')",
            run: "click",
        },
        {
            content: "Customer 360 shows the web spend",
            trigger: ".o_form_view .o_field_widget[name=contoso_spend_web]:contains('42.50')",
        },
        {
            content: "and the purchase timeline",
            trigger:
                ".o_form_view .o_field_widget[name=contoso_purchase_ids]:contains('Tour doorbell')",
        },
    ],
});
