"""The reference app's profile and plugin: the CRM vocabulary (contacts, notes, opportunities, messages,
calendar, search, dashboard...), its page objects and its admin API. Nothing else in the harness knows them."""
