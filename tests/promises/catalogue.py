"""A small service catalogue as the config would hold it."""

from switchboard.promises.config import PromisesConfig

CATALOGUE_YAML = {
    "subject": "{surname} {first_name} {member_number} {topic} + {action}",
    "departments": [
        {"id": "insurance", "title": "Forsikring", "inbox": "forsikring@example.org",
         "agents": ["dina"]},
        {"id": "pay", "title": "Lønn og arbeid", "inbox": "lonn@example.org"},
    ],
    "topics": [
        {
            "id": "invoice",
            "title": {"no": "Fakturaspørsmål", "en": "Invoice question"},
            "action": "svar medlemmet",
            "department": "insurance",
            "promise_working_days": 2,
            "escalation": [
                {"name": "Fagavdeling økonomi", "inbox": "fag@example.org",
                 "reaction_working_days": 1},
                {"name": "Avdelingsleder", "inbox": "leder@example.org",
                 "reaction_working_days": 1},
            ],
        },
        {
            "id": "wage-claim",
            "title": {"no": "Lønnskrav", "en": "Wage claim"},
            "action": "ring medlemmet",
            "department": "pay",
            "promise_working_days": 4,
        },
    ],
}  # fmt: skip

RULES = PromisesConfig.model_validate(CATALOGUE_YAML).rules()
