#!/usr/bin/env bash
# docker-compose's PostgreSQL, on its first start: for each service a database owned by the role its
# migrations run as, and a role the service runs as, which may only read and write rows (no DDL, no
# other service's database). Names and passwords come from the URLs in /run/secrets, so they are
# written down once, by deploy/compose-secrets.sh. Sourced by the image's entrypoint.
set -euo pipefail
for service in registry submissions scoring notifications portal; do
  owner_url=$(cat "/run/secrets/${service}_owner_database_url")
  app_url=$(cat "/run/secrets/${service}_database_url")
  # postgresql+psycopg://USER:PASSWORD@HOST[:PORT]/DATABASE
  user_of() { sed -E 's#^[^:]+://([^:]+):.*$#\1#' <<<"$1"; }
  password_of() { sed -E 's#^[^:]+://[^:]+:([^@]+)@.*$#\1#' <<<"$1"; }
  database=$(sed -E 's#^.*/([^/?]+)(\?.*)?$#\1#' <<<"$app_url")
  psql -q -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner="$(user_of "$owner_url")" -v owner_password="$(password_of "$owner_url")" \
    -v app="$(user_of "$app_url")" -v app_password="$(password_of "$app_url")" -v db="$database" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN PASSWORD :'app_password';
CREATE DATABASE :"db" OWNER :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
\connect :"db"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app";
SQL
  echo "postgres-init: database $database, owner $(user_of "$owner_url"), service role $(user_of "$app_url")"
done
