#!/usr/bin/env bash
# Regenerates the TLS test fixtures (test-only keys; never use them elsewhere):
#   ca.pem                     a certificate authority (its key is thrown away)
#   server.pem / server.key    omsd's certificate from that CA, for localhost,
#                              127.0.0.1 and ::1
#   other-ca.pem               an unrelated CA (a client trusting it must refuse omsd)
# Valid for 100 years, so the committed files do not expire under the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
days=36500
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days $days \
    -subj "/CN=omsd test CA" -keyout ca.key -out ca.pem 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days $days \
    -extfile server.ext -out server.pem 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days $days \
    -subj "/CN=another CA" -keyout other-ca.key -out other-ca.pem 2>/dev/null
rm -f server.csr server.ext ca.srl ca.key other-ca.key
echo "wrote $(pwd)/{ca,server,other-ca}.pem"
