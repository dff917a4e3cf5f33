"""The four services of the suite; ``python -m services SERVICE ROLE`` starts one role of one service."""
