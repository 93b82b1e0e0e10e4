"""Conversation intelligence: what an inbound message says about buying.

    message text ──► analyzer.analyze()
        ├ language.detect()                 lingua, restricted to the languages the product speaks
        ├ classifier (per org, cached)       intent · objection · sentiment · emotion · buying-signal strength,
        │                                    learned over MiniLM embeddings + char n-grams from labelled examples
        │                                    (shipped in data/, extended per org from the dashboard)
        ├ bant.extract()                     budget amount + currency, authority role, need, timeline as a date
        ├ playbook.strategy()                a suggested response per objection type
        └ optional LLM refinement            only when a chat model is configured and the intent is uncertain
    ──► Message.annotations (read by scoring.features.message_signal)

Storage: ``IntelligenceExample`` rows (an org's own labelled examples) and ``IntelligenceModelRecord`` rows (the
quality of each retrained model). Jobs: ``intelligence.annotate_message``, ``intelligence.retrain``, and the periodic
sweep of unannotated messages. See docs/intelligence.md.
"""
