/**
 * A self-signed certificate for localhost / 127.0.0.1 (P-256, valid until 2125), made once with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=localhost
 * -addext subjectAltName=DNS:localhost,IP:127.0.0.1`. Test-only: it shows that https fetches verify certificates.
 */
export const SELF_SIGNED_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdvEMDnxiB8dgTsGY
txrE1f1w5nwpRT/2g9FwpmQOUaChRANCAASABLqpHcb29iZ1X5y9lRjNOnAbHrpL
oY4wQ90F+XXxekSDFLZ0DiEOWbpYP93N2yC3qTn2KK+LKcdn7qFLDW2P
-----END PRIVATE KEY-----
`;

export const SELF_SIGNED_CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUF6psc08K/KF8KODvSV73IYuHafMwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzAwMzIwN1oYDzIxMjYxMTAz
MDAzMjA3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASABLqpHcb29iZ1X5y9lRjNOnAbHrpLoY4wQ90F+XXxekSDFLZ0DiEO
WbpYP93N2yC3qTn2KK+LKcdn7qFLDW2Po28wbTAdBgNVHQ4EFgQUgBC0iQxxCprg
wEyR3gGSV4OZmRgwHwYDVR0jBBgwFoAUgBC0iQxxCprgwEyR3gGSV4OZmRgwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgGsFuyspISZF/3RYYgk2nSmOQVD/skLhCJ2gmWgwtUYICIEWN
zNTHoK9jIXClUHu6huZRzrsms9Mzc2pyClInsiZ9
-----END CERTIFICATE-----
`;
