-- Chat surfaces name a card by its message (a reaction, a thread reply):
-- finding the case from (surface, ref) must not scan every card.
CREATE INDEX card_refs_by_ref ON card_refs (surface, ref);
