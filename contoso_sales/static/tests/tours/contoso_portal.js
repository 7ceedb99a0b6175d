import { registry } from "@web/core/registry";

/** A working day two or more days ahead, as the callback form wants. */
function nextWeekday() {
    const day = new Date();
    day.setDate(day.getDate() + 2);
    while ([0, 6].includes(day.getDay())) {
        day.setDate(day.getDate() + 1);
    }
    const pad = (n) => String(n).padStart(2, "0");
    return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function setValue(value) {
    return function () {
        this.anchor.value = value;
        this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
    };
}

/** Carla's tour; `text` holds the labels of her language. */
function customerSteps(text) {
    return [
        {
            content: "My Contoso is on the portal home",
            trigger: "a[href='/my/contoso']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Purchases of every channel in one timeline",
            trigger: `#contoso_timeline h4:contains('${text.purchases}')`,
        },
        {
            content: "The shop purchase is there",
            trigger: "#contoso_timeline td:contains('Tour camera in store')",
        },
        {
            content: "The web purchase is there",
            trigger: "#contoso_timeline td:contains('Tour sensor online')",
        },
        {
            content: "Loyalty card and points",
            trigger: "#contoso_loyalty:contains('LOYID_T1'):contains('340')",
        },
        {
            content: "Pick a subject",
            trigger: "select[name=subject]",
            run: "selectByIndex 2",
        },
        {
            content: "Pick a day",
            trigger: "input[name=date]",
            run: setValue(nextWeekday()),
        },
        {
            content: "Pick the afternoon",
            trigger: "select[name=slot]",
            run: "selectByIndex 1",
        },
        {
            content: "Ask for the call back",
            trigger: "#contoso_callback button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The request is registered",
            trigger: "#contoso_callback .alert-success",
        },
        {
            content: "and listed with its status",
            trigger: `.o_contoso_callback_row .badge:contains('${text.requested}')`,
        },
    ];
}

registry.category("web_tour.tours").add("contoso_portal_customer", {
    steps: () => customerSteps({ purchases: "Your purchases", requested: "Requested" }),
});
registry.category("web_tour.tours").add("contoso_portal_customer_fr", {
    steps: () => customerSteps({ purchases: "Vos achats", requested: "Demandé" }),
});

/** Remy's tour; `text` holds the labels of his language. */
function resellerSteps(text) {
    return [
        {
            content: "Stock is on the portal home",
            trigger: "a[href='/my/reseller/stock']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The doorbell is in stock",
            trigger: `.o_contoso_stock_row:contains('Tour Doorbell'):contains('${text.inStock}')`,
        },
        {
            content: "Back home",
            trigger: ".o_portal_submenu a[href='/my/home']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the orders",
            trigger: "a[href='/my/reseller/orders']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The delivery shows its carrier tracking number",
            trigger: ".o_contoso_reseller_order:contains('1ZTOUR')",
        },
        {
            content: "Back home",
            trigger: ".o_portal_submenu a[href='/my/home']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the installation sheets",
            trigger: "a[href='/my/installations']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Start a new sheet",
            trigger: "a[href='/my/installations/new']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The customer's name",
            trigger: "input[name=name]",
            run: "edit Tour New Customer",
        },
        {
            content: "The installed product",
            trigger: "select[name=product_0]",
            run: "selectByIndex 1",
        },
        {
            content: "Its serial number",
            trigger: "input[name=serial_0]",
            run: "edit SN-TOUR-1",
        },
        {
            content: "Save",
            trigger: "form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The sheet shows the serial number",
            trigger: ".o_contoso_installation_sheet + table td:contains('SN-TOUR-1')",
        },
        {
            content: "Mark it done",
            trigger: `form button[type=submit]:contains('${text.markDone}')`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "It is done, and prints",
            trigger: ".o_contoso_installation_sheet:contains('" + text.done + "')",
        },
        {
            content: "The PDF is one click away",
            trigger: "a[href$='/pdf?download=true']",
        },
    ];
}

registry.category("web_tour.tours").add("contoso_portal_reseller", {
    steps: () => resellerSteps({ inStock: "In stock", markDone: "Mark as done", done: "Done" }),
});
registry.category("web_tour.tours").add("contoso_portal_reseller_fr", {
    steps: () =>
        resellerSteps({
            inStock: "En stock",
            markDone: "Marquer comme fait",
            done: "Terminé",
        }),
});
