"""What each demo account can try, printed by ``shiji demo`` (it follows ``scenarios``)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shiji.demo.scenarios import CHENMEI, HARUKA, KENJI, LIWEI

GUIDE: dict[str, tuple[Promise, ...]] = {
    HARUKA: (
        _("sells: ship the kimono Chen Mei paid for (express, duties paid at checkout) from My orders"),
        _("sells: Li Wei disputes the denim jacket; her partial refund offer waits for his answer"),
        _("wallet: a ¥5,000 payout held for a check (the bank account was just added); reviews on her profile"),
        _("buys: Longjing tea on its way (tracking); her dispute over a broken figure is with an arbitrator"),
        _("messages: Chen Mei asks about the leather bag (the WeChat id she wrote was taken out)"),
    ),
    KENJI: (
        _("buys: pay for the pin badge set at the sandbox checkout; a cancelled, refunded scarf order"),
        _("buys: the teapot arrived, both reviews are revealed"),
        _("sells: the mug was delivered to Chen Mei and waits for her confirmation"),
        _("identity: his document waits for a reviewer; until it is approved, what he earns stays pending"),
    ),
    LIWEI: (
        _("buys: accept, escalate or withdraw his dispute over the denim jacket (Haruka offered a refund)"),
        _("buys: the dress is completed, both reviews are revealed"),
        _("sells: Haruka's dispute over the figure is with an arbitrator; Kenji has not paid for the badges yet"),
    ),
    CHENMEI: (
        _("buys: confirm receipt of Kenji's mug and review it; the kimono is paid and waits to be shipped"),
        _("sells: the Longjing tea is on its way to Haruka; Kenji cancelled the scarf"),
        _("messages: her question about Haruka's leather bag"),
    ),
    "moderator@demo.shiji.test": (_("Staff → Reports: Haruka reported Li Wei's pin badges as counterfeit"),),
    "identity-reviewer@demo.shiji.test": (_("Staff → Identity documents: Kenji's ID card"),),
    "arbitrator@demo.shiji.test": (_("Staff → Disputes to decide: the broken figure, Haruka against Li Wei"),),
    "finance@demo.shiji.test": (
        _("Staff → Risk reviews: release or cancel Haruka's held payout; GET /api/v1/staff/ledger/check"),
    ),
    "admin@demo.shiji.test": (_("every staff queue, and the Django admin at /admin/"),),
}
