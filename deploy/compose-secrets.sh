#!/usr/bin/env bash
# Generates the secrets docker-compose.yml reads, into deploy/secrets/ (a directory only its owner may
# enter; git ignores it). A secret already there is kept, so running it again changes nothing.
#   jwt_secret         the key that signs bearer tokens          data_key   seals webhook and TOTP secrets
#   personal_key       the master key that wraps each person's data key (submissions)
#   integration_keys   the provinces' systems' signing keys (JSON, {} at first: edit it to add one)
#   postgres_password  PostgreSQL's superuser (only its own container reads it)
#   <service>_owner_database_url, <service>_database_url   each service's migration role and run role
set -euo pipefail
dir=${THIDUA_SECRETS_DIR:-$(cd "$(dirname "$0")" && pwd)/secrets}
mkdir -p "$dir" && chmod 700 "$dir"
token() { python3 -c 'import secrets, sys; print(secrets.token_urlsafe(int(sys.argv[1])))' "$1"; }
keep() {  # keep NAME VALUE: write the secret once (readable inside the containers, which run as users)
  [ -s "$dir/$1" ] && return 0
  printf '%s\n' "$2" > "$dir/$1" && chmod 644 "$dir/$1"
  echo "compose-secrets: wrote $1"
}
keep jwt_secret "$(token 48)"
keep data_key "$(token 32)"
keep personal_key "$(token 32)"
keep integration_keys "{}"
keep postgres_password "$(token 24)"
for service in registry submissions scoring notifications portal; do
  keep "${service}_owner_database_url" "postgresql+psycopg://${service}_owner:$(token 24)@postgres/$service"
  keep "${service}_database_url" "postgresql+psycopg://${service}:$(token 24)@postgres/$service"
done
echo "compose-secrets: secrets in $dir"
