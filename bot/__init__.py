"""The rehab coach's own package: clinical rules, planner, knowledge base, store.

Nothing here imports `actions/`; the pure modules (records, clinical, planner,
progress, coaching, guidance, knowledge) never touch the database.
"""
