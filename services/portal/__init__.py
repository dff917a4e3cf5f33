"""The portal: server-rendered Vietnamese pages for schools, cluster heads, the Academy and the provinces.

A backend-for-frontend: it keeps the people's accounts (Argon2 passwords, invitations, lock-out) in its
own database and calls the services' APIs with a short-lived token in the signed-in person's role and
tenant, so the services decide what each person may read and do, exactly as for any other client.
"""
