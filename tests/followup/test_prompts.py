"""Cleaning a model's answer down to the email, and telling an email from a garbled answer."""

from __future__ import annotations

from leadpilot.followup.context import LeadProfile
from leadpilot.followup.prompts import clean_output, unusable

ECHOING = """STRATEGY: The lead is evaluating: share one useful point.

- Name: Derek Jackson
- Company: Mesawren Manufacturing Inc.

Hi Derek,

Thanks for reaching out through our website. If you have any questions, I'd be happy to answer them.

Best regards,
Sofia Alvarez
Northwind Analytics
No
Yes, and then the model kept going."""


def test_the_prompt_echo_and_the_ramble_after_the_signature_are_removed() -> None:
    assert clean_output(ECHOING, max_words=160) == (
        "Hi Derek,\n\nThanks for reaching out through our website. If you have any questions, I'd be happy to "
        "answer them.\n\nBest regards,\nSofia Alvarez\nNorthwind Analytics"
    )


def test_a_long_answer_is_cut_at_a_sentence_end_keeping_its_lines() -> None:
    text = "Hi Ada,\n\n" + " ".join(["This is one sentence of the email."] * 20)
    cleaned = clean_output(text, max_words=40)
    assert cleaned.startswith("Hi Ada,\n\n")
    assert cleaned.endswith(".")
    assert len(cleaned.split()) <= 40


def test_garbled_or_off_target_answers_are_unusable() -> None:
    ada = LeadProfile(first_name="Ada")
    good = "Hi Ada, the Growth plan costs $399 per month and includes ten seats. Would a short call help you decide?"
    assert unusable(good, ada) is None
    assert unusable("Sender:\n[1]\nSender:\n[2]", ada) == "the answer is too short to be an email"
    assert unusable("Hi Bob, " + good[8:], ada) == "the answer does not address Ada"
    assert unusable("Hi Ada\n" + "\n".join(["Thanks a lot for your time today"] * 6), ada) in {
        "the answer repeats itself", "the answer has no sentence"}  # fmt: skip
    assert unusable("STRATEGY: share a point. " + good, ada) == "the answer repeats the instructions"
