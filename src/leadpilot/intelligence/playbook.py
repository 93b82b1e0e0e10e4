"""What to do about each kind of objection: a short strategy shipped with the product (shown next to a detected
objection, and used by the agents when they answer one)."""

from __future__ import annotations

STRATEGIES: dict[str, str] = {
    "price": (
        "Reframe on value before touching the price: restate the problem in their numbers, show the return "
        "(time saved, deals recovered) against the cost, then offer a smaller starting plan or annual terms rather "
        "than a discount."
    ),
    "timing": (
        "Agree on the timing, find out what is happening now and what changes later, quantify the cost of waiting, "
        "and book a concrete follow-up date (or a low-effort first step) instead of an open 'later'."
    ),
    "authority": (
        "Identify the decision maker and the approval steps, equip your contact with a one-page business case, and "
        "offer a short call with the approver; ask what the approver will care about most."
    ),
    "need": (
        "Ask before pitching: explore how they handle the process today and where it breaks; if there is no pain, "
        "say so honestly and leave a useful resource instead of pushing."
    ),
    "competitor": (
        "Do not criticise the incumbent: ask what works and what is missing, differentiate on the gaps they name, "
        "and offer a side-by-side or a migration path that lowers the cost of switching."
    ),
    "trust": (
        "Lower the risk with proof: a customer reference from their industry, security and compliance documents, a "
        "pilot with clear success criteria, and explicit guarantees on data and human oversight."
    ),
    "contract": (
        "Find the clause behind the concern (term, renewal, liability, payment), explain why it is there, and offer "
        "a standard alternative (monthly or shorter term, pilot, capped renewal) before escalating to legal."
    ),
}


def strategy(objection_type: str) -> str | None:
    return STRATEGIES.get(objection_type)
