/*
 * certgen: the built-in certificate generator behind "gossipd cert". It
 * makes CA, node and client certificates with mbedTLS 2.28, which has no
 * writer for the subject alternative name and extended key usage
 * extensions: certgen builds their DER itself with asn1write.
 *
 * Everything here returns 0 or -1 with a reason in err; nothing exits or
 * prints. Time is an argument, so that tests can drive it.
 */
#ifndef GOSSIP_CERTGEN_H
#define GOSSIP_CERTGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

enum certgen_kind { CERTGEN_CA = 0, CERTGEN_NODE, CERTGEN_CLIENT };
enum certgen_key_type { CERTGEN_KEY_EC = 0, CERTGEN_KEY_RSA };

/* Extended key usage bits. */
#define CERTGEN_EKU_SERVER 0x1u
#define CERTGEN_EKU_CLIENT 0x2u

/* Bounds on what a request may carry. */
#define CERTGEN_MAX_SANS    64	/* IP addresses, and DNS names, each */
#define CERTGEN_MAX_DNS_LEN 253 /* one DNS name */
#define CERTGEN_MAX_CN_LEN  64	/* X.520 ub-common-name */
#define CERTGEN_MAX_DAYS    36500
#define CERTGEN_MAX_FILE    (1024 * 1024) /* a CA certificate or key file */
#define CERTGEN_SAN_DER_MAX (CERTGEN_MAX_SANS * (CERTGEN_MAX_DNS_LEN + 24))
#define CERTGEN_TIME_LEN    14 /* YYYYMMDDHHMMSS */

/* The issuing CA: its certificate (the first of the file) and its key. */
struct certgen_ca {
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
};

/* What to make. Strings are borrowed for the duration of the call. */
struct certgen_req {
	enum certgen_kind kind;
	enum certgen_key_type key_type;
	unsigned int rsa_bits;	 /* 2048, 3072 or 4096 (RSA only) */
	const char *common_name; /* 1..64 bytes, UTF-8 */
	time_t now;		 /* notBefore, unless not_before is set */
	int days;		 /* validity from now, 1..CERTGEN_MAX_DAYS */
	const char *not_before;	 /* YYYYMMDDHHMMSS (UTC), or NULL */
	const char *not_after;	 /* YYYYMMDDHHMMSS (UTC), or NULL */
	const char *const *ips;	 /* IPv4 or IPv6 literals */
	size_t n_ips;
	const char *const *dns; /* DNS names, "*." first label allowed */
	size_t n_dns;
	unsigned int eku; /* CERTGEN_EKU_* bits; 0: the kind's default */
	int pathlen;	  /* CA only: -1 for no limit */
	const struct certgen_ca *issuer; /* NULL: self-signed (CA only) */
};

/* The PEM texts made; both NUL-terminated, owned by the struct. */
struct certgen_result {
	char *cert_pem;
	size_t cert_len;
	char *key_pem; /* zeroed when freed */
	size_t key_len;
};

/*
 * The default subject CN of a new CA: "gossipd CA YYYY-MM-DD xxxxxx" (the
 * date of now in UTC, six random hex digits), unique so that two CAs
 * never share a subject. Returns 0, or -1 when no randomness is to be had.
 */
int certgen_default_ca_name(time_t now, char *buf, size_t len);

void certgen_ca_init(struct certgen_ca *ca);
void certgen_ca_free(struct certgen_ca *ca); /* accepts NULL */

/*
 * Loads an issuing CA from a PEM or DER certificate file (the first
 * certificate is the issuer) and an unencrypted private key file (each at
 * most CERTGEN_MAX_FILE bytes). Refuses a certificate that is not a CA,
 * whose key usage lacks keyCertSign, or whose public key does not match
 * the key. ca must have been initialised; the caller frees it.
 */
int certgen_ca_load(struct certgen_ca *ca, const char *crt_path,
		    const char *key_path, char *err, size_t errlen);

/*
 * Makes a key pair and a certificate for req. On success fills res, which
 * the caller releases with certgen_result_free(). Uses its own
 * entropy/CTR-DRBG context; keeps nothing.
 */
int certgen_issue(const struct certgen_req *req, struct certgen_result *res,
		  char *err, size_t errlen);
void certgen_result_free(struct certgen_result *res); /* accepts NULL */

/*
 * The DER of a SubjectAltName extension value (GeneralNames): the DNS
 * names as dNSName, then the addresses as iPAddress, in the order given.
 * Writes to the start of buf and sets *len. Refuses a malformed name or
 * address, more than CERTGEN_MAX_SANS of either, or no name at all.
 */
int certgen_san_der(const char *const *ips, size_t n_ips,
		    const char *const *dns, size_t n_dns, unsigned char *buf,
		    size_t size, size_t *len, char *err, size_t errlen);

/* The DER of an ExtKeyUsage extension value for the CERTGEN_EKU_* bits
 * (serverAuth before clientAuth), at the start of buf. */
int certgen_eku_der(unsigned int eku, unsigned char *buf, size_t size,
		    size_t *len, char *err, size_t errlen);

/* Parses an IPv4 or IPv6 literal into 4 or 16 bytes. Returns the length,
 * or -1. */
int certgen_parse_ip(const char *s, unsigned char out[16]);

/* Is s an acceptable DNS name for a certificate (LDH labels of at most 63
 * bytes, at most 253 bytes in all, an optional whole "*" first label)? */
bool certgen_dns_name_ok(const char *s);

/* Checks a YYYYMMDDHHMMSS time (UTC) for shape and calendar, years
 * 2000..9999 (mbedTLS writes UTCTime before 2050, GeneralizedTime after,
 * as RFC 5280 asks; it would not for earlier years). */
bool certgen_time_ok(const char *s);

/* Formats t (UTC) as YYYYMMDDHHMMSS into out[15]. Returns 0, or -1 when
 * the year is outside 2000..9999. */
int certgen_format_time(time_t t, char out[CERTGEN_TIME_LEN + 1]);

/*
 * Loads every certificate of a PEM bundle, or one DER certificate, from
 * path (at most CERTGEN_MAX_FILE bytes) into chain, which the caller has
 * initialised and frees. what names the file in messages ("CA
 * certificate"). A file in which any certificate fails to parse is
 * refused.
 */
int certgen_crt_load(mbedtls_x509_crt *chain, const char *path,
		     const char *what, char *err, size_t errlen);

/*
 * For "gossipd cert inspect": one line each, written into out (at most
 * outlen bytes with the NUL; longer lists end in "..."). Bytes that are
 * not printable ASCII are shown as '?'.
 *   SANs:  "DNS:localhost, IP:127.0.0.1, IP:::1", or "none"
 *   KU:    "digitalSignature, keyEncipherment", or "absent"
 *   EKU:   "serverAuth, clientAuth", or "absent"
 */
void certgen_describe_sans(const mbedtls_x509_crt *crt, char *out,
			   size_t outlen);
void certgen_describe_ku(const mbedtls_x509_crt *crt, char *out, size_t outlen);
void certgen_describe_eku(const mbedtls_x509_crt *crt, char *out,
			  size_t outlen);

/*
 * Creates dir and its missing parents with mode 0755 (an existing
 * directory is fine).
 */
int certgen_mkdirs(const char *dir, char *err, size_t errlen);

/*
 * Writes data to path with mode (0600 for keys, 0644 for certificates).
 * The bytes go to a new temporary file in the same directory, created with
 * O_CREAT|O_EXCL and mode 0600 and only then given its final mode, which
 * is linked into place: an existing file is refused unless force, in which
 * case it is replaced atomically. A key is never readable by others, even
 * for an instant.
 */
int certgen_write_file(const char *path, const void *data, size_t len,
		       unsigned int mode, bool force, char *err, size_t errlen);

#endif
