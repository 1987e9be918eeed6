#!/usr/bin/env bash
# Users, topics and ACLs of the order saga on a choreod with authentication (README "Securing
# choreod"): order-service, payment-service and shipping-service each get a user that may read
# and write only its own topics and use only its own consumer group; saga-watch gets a user that
# may only read the saga's topics.
#
# usage: examples/order-saga/secure-setup.sh SECRETS_DIR [CHOREO FLAGS...]
#
#   SECRETS_DIR   each user's password, one file per user (SECRETS_DIR/order-service, ...),
#                 made with `openssl rand` (directory mode 700, files 600). A file that exists is
#                 kept, so running the script again changes no password.
#   CHOREO FLAGS  how to reach the broker, given to every `choreo` command, e.g.
#                 --broker localhost:7420 --tls-ca ca.crt
#
# Environment:
#   CHOREO               the choreo CLI (default: ./build/release/bin/choreo, else choreo on PATH)
#   ADMIN_PASSWORD_FILE  authenticate as the super user `admin` with the first line of this file
#                        (on a broker running with --auth=sasl --super-users=admin). Unset: no
#                        authentication (a broker still without --auth, on localhost)
#   PARTITIONS           partitions of the topics it creates (default 4)
#
# Running it again is harmless: existing topics are left alone and an ACL added twice is one ACL.
set -euo pipefail

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,21s/^# \{0,1\}//p' "$0"
  exit 2
fi
secrets=$1
shift
choreo_flags=("$@")
if [[ -z ${CHOREO:-} ]]; then
  if [[ -x ./build/release/bin/choreo ]]; then CHOREO=./build/release/bin/choreo; else CHOREO=choreo; fi
fi
partitions=${PARTITIONS:-4}

# The saga's event topics (proto/order_saga.proto; a type's topic is its full name).
created=shop.v1.OrderCreated
succeeded=shop.v1.PaymentSucceeded
failed=shop.v1.PaymentFailed
timed_out=shop.v1.PaymentTimedOut
shipped=shop.v1.ShipmentCreated
not_shipped=shop.v1.ShipmentFailed
refunded=shop.v1.PaymentRefunded
completed=shop.v1.OrderCompleted
cancelled=shop.v1.OrderCancelled

# choreo [--stdin LINE] ARGS...: the CLI as admin (or anonymous); LINE goes to its stdin after the
# admin password.
choreo() {
  local line=""
  if [[ $1 == --stdin ]]; then
    line=$2
    shift 2
  fi
  if [[ -n ${ADMIN_PASSWORD_FILE:-} ]]; then
    { head -n 1 "$ADMIN_PASSWORD_FILE"; printf '%s\n' "$line"; } |
      "$CHOREO" "${choreo_flags[@]}" --user admin --password-stdin "$@"
  else
    printf '%s\n' "$line" | "$CHOREO" "${choreo_flags[@]}" "$@"
  fi
}

allow() {  # allow PRINCIPAL OPERATION (--topic NAME | --group NAME | --cluster) [--prefix]
  local principal=$1 operation=$2
  shift 2
  choreo acl add --principal "$principal" "$@" --operation "$operation" >/dev/null
}

umask 077
mkdir -p "$secrets"
for user in order-service payment-service shipping-service saga-watch; do
  if [[ ! -s $secrets/$user ]]; then openssl rand -hex 24 >"$secrets/$user"; fi
  choreo --stdin "$(head -n 1 "$secrets/$user")" user add "$user" --password-stdin
done

# The topics, made here so that no service needs the right to create topics.
for topic in $created $succeeded $failed $timed_out $shipped $not_shipped $refunded $completed \
  $cancelled order-service.dlq payment-service.dlq shipping-service.dlq; do
  if ! choreo topic describe "$topic" >/dev/null 2>&1; then
    choreo topic create "$topic" --partitions "$partitions" >/dev/null
  fi
done

# A saga service reads its input topics and its dead-letter topic (choreo dlq replay|discard
# commands arrive there), writes its output topics and its dead letters, and uses its group.
# Each step commits its input and output in one request (StepCommit), checked against all three.
service() {  # service NAME --reads TOPIC... --writes TOPIC...
  local name=$1 mode=
  shift
  allow "$name" read --group "$name"
  allow "$name" read --topic "$name.dlq"
  allow "$name" write --topic "$name.dlq"
  for arg in "$@"; do
    case $arg in
      --reads) mode="read" ;;
      --writes) mode="write" ;;
      *) allow "$name" "$mode" --topic "$arg" ;;
    esac
  done
}

# order-service: `place` writes OrderCreated and arms the payment timeout, a PaymentTimedOut the
# broker publishes later, which needs write on that topic now; `run` closes orders.
service order-service \
  --reads $failed $timed_out $shipped $refunded \
  --writes $created $timed_out $completed $cancelled
# payment-service: disarms the payment timeout before it charges; cancelling a scheduled event
# needs write on the topic it would be published to (PaymentTimedOut).
service payment-service \
  --reads $created $not_shipped \
  --writes $succeeded $failed $refunded $timed_out
service shipping-service \
  --reads $succeeded \
  --writes $shipped $not_shipped
# saga-watch reads every event and writes nothing.
allow saga-watch read --topic shop.v1. --prefix

echo "users order-service, payment-service, shipping-service and saga-watch with their ACLs;" \
  "passwords in $secrets/"
