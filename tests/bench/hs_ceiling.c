/*
 * hs_ceiling: how many full mutual-TLS handshakes per second mbedTLS's own
 * public-key arithmetic allows a server on this CPU.
 *
 * Times, with this thread's CPU clock (so that other processes on a busy
 * machine do not count), each operation a gossipd server does in a full
 * TLS 1.2 ECDHE handshake with a client certificate:
 *   - ECDHE: one key pair and one shared secret (X25519, which clients
 *     offer first, and P-256);
 *   - the ServerKeyExchange signature with the node key (ECDSA P-256, or
 *     RSA-2048 for an RSA node certificate);
 *   - ECDSA P-256 verifications: the client certificate's signature by the
 *     CA (one per CA certificate in the client's chain), with a key loaded
 *     once (the trust store's), and the client's CertificateVerify, with
 *     the key of the certificate the client sent, parsed anew in every
 *     handshake (measured: as fast as a kept key).
 * The ECDHE key pair is made on a curve loaded anew, as each handshake's
 * ECDH context does: for P-256 that computes mbedTLS's fixed-base table
 * for the generator every time (the first version reused one curve, and
 * its P-256 figure was one no handshake reaches).
 * Prints each operation's rate and the handshakes/s they allow together:
 * 1 / (keygen + shared + sign + verifies). Hashing, AES-GCM, certificate
 * parsing and the kernel are not counted: the real ceiling is a little
 * lower.
 *
 * usage: hs_ceiling [--seconds S] [--chain-verifies N] [--no-rsa]
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static mbedtls_ctr_drbg_context drbg;
static double seconds = 1.0;

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, int ret)
{
	fprintf(stderr, "hs_ceiling: %s failed: -0x%04x\n", what,
		(unsigned)-ret);
	exit(1);
}

/* Runs op until `seconds` of CPU time have passed; returns seconds per
 * operation. */
static double
time_op(const char *name, int (*op)(void *), void *arg)
{
	double t0 = cpu_now(), t;
	long n = 0;
	int ret;

	do {
		if ((ret = op(arg)) != 0)
			die(name, ret);
		n++;
		t = cpu_now() - t0;
	} while (t < seconds);
	printf("%-28s %10.1f /s  %9.3f ms\n", name, (double)n / t,
	       1e3 * t / (double)n);
	return t / (double)n;
}

struct ecdh_op {
	mbedtls_ecp_group grp;
	mbedtls_mpi d, z;
	mbedtls_ecp_point q, peer;
};

static int
ecdh_keygen(void *arg)
{
	struct ecdh_op *e = arg;

	return mbedtls_ecdh_gen_public(&e->grp, &e->d, &e->q,
				       mbedtls_ctr_drbg_random, &drbg);
}

/* As a handshake does it: the curve loaded into a new context first. */
static int
ecdh_keygen_fresh(void *arg)
{
	struct ecdh_op *e = arg;
	mbedtls_ecp_group_id id = e->grp.id;
	int ret;

	mbedtls_ecp_group_free(&e->grp);
	mbedtls_ecp_group_init(&e->grp);
	if ((ret = mbedtls_ecp_group_load(&e->grp, id)) != 0)
		return ret;
	return ecdh_keygen(e);
}

static int
ecdh_shared(void *arg)
{
	struct ecdh_op *e = arg;

	return mbedtls_ecdh_compute_shared(&e->grp, &e->z, &e->peer, &e->d,
					   mbedtls_ctr_drbg_random, &drbg);
}

/* keygen (on the curve loaded anew) + shared secret for one curve;
 * seconds for both. */
static double
ecdhe(mbedtls_ecp_group_id id, const char *label)
{
	struct ecdh_op e;
	mbedtls_mpi pd;
	char name[64];
	double t;
	int ret;

	mbedtls_ecp_group_init(&e.grp);
	mbedtls_mpi_init(&e.d);
	mbedtls_mpi_init(&e.z);
	mbedtls_mpi_init(&pd);
	mbedtls_ecp_point_init(&e.q);
	mbedtls_ecp_point_init(&e.peer);
	if ((ret = mbedtls_ecp_group_load(&e.grp, id)) != 0)
		die("ecp_group_load", ret);
	/* the client's share */
	if ((ret = mbedtls_ecdh_gen_public(
		 &e.grp, &pd, &e.peer, mbedtls_ctr_drbg_random, &drbg)) != 0)
		die("client share", ret);
	snprintf(name, sizeof(name), "ECDHE %s key pair", label);
	t = time_op(name, ecdh_keygen_fresh, &e);
	snprintf(name, sizeof(name), "ECDHE %s shared secret", label);
	t += time_op(name, ecdh_shared, &e);
	mbedtls_ecp_group_free(&e.grp);
	mbedtls_mpi_free(&e.d);
	mbedtls_mpi_free(&e.z);
	mbedtls_mpi_free(&pd);
	mbedtls_ecp_point_free(&e.q);
	mbedtls_ecp_point_free(&e.peer);
	return t;
}

struct sig_op {
	mbedtls_pk_context pk;
	unsigned char hash[32];
	unsigned char sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t sig_len;
	unsigned char der[200]; /* the public key, SubjectPublicKeyInfo */
	unsigned char *der_start;
	size_t der_len;
};

static int
do_sign(void *arg)
{
	struct sig_op *s = arg;

	return mbedtls_pk_sign(&s->pk, MBEDTLS_MD_SHA256, s->hash, 32, s->sig,
			       &s->sig_len, mbedtls_ctr_drbg_random, &drbg);
}

static int
do_verify(void *arg)
{
	struct sig_op *s = arg;

	return mbedtls_pk_verify(&s->pk, MBEDTLS_MD_SHA256, s->hash, 32, s->sig,
				 s->sig_len);
}

/* CertificateVerify: with the key parsed from the client's certificate
 * in this handshake (its SubjectPublicKeyInfo; the rest of the
 * certificate's parsing is not counted). */
static int
do_verify_fresh(void *arg)
{
	struct sig_op *s = arg;
	mbedtls_pk_context pk;
	int ret;

	mbedtls_pk_init(&pk);
	ret = mbedtls_pk_parse_public_key(&pk, s->der_start, s->der_len);
	if (ret == 0)
		ret = mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, s->hash, 32,
					s->sig, s->sig_len);
	mbedtls_pk_free(&pk);
	return ret;
}

static void
sig_setup(struct sig_op *s, bool rsa)
{
	int ret;

	mbedtls_pk_init(&s->pk);
	memset(s->hash, 0x5a, sizeof(s->hash));
	if (rsa) {
		if ((ret = mbedtls_pk_setup(
			 &s->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA))) !=
			0 ||
		    (ret = mbedtls_rsa_gen_key(mbedtls_pk_rsa(s->pk),
					       mbedtls_ctr_drbg_random, &drbg,
					       2048, 65537)) != 0)
			die("RSA-2048 key", ret);
	} else {
		if ((ret = mbedtls_pk_setup(&s->pk, mbedtls_pk_info_from_type(
							MBEDTLS_PK_ECKEY))) !=
			0 ||
		    (ret = mbedtls_ecp_gen_key(
			 MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(s->pk),
			 mbedtls_ctr_drbg_random, &drbg)) != 0)
			die("P-256 key", ret);
	}
	if ((ret = do_sign(s)) != 0)
		die("first signature", ret);
	if (!rsa) {
		ret =
		    mbedtls_pk_write_pubkey_der(&s->pk, s->der, sizeof(s->der));
		if (ret <= 0)
			die("pk_write_pubkey_der", ret);
		s->der_len = (size_t)ret;
		s->der_start = s->der + sizeof(s->der) - s->der_len;
	}
}

int
main(int argc, char **argv)
{
	mbedtls_entropy_context entropy;
	struct sig_op ec, rsa;
	double x25519, p256, sign, verify, verify_fresh;
	double rsa_sign = 0, rsa_verify = 0;
	int chain = 1, ret, i;
	bool with_rsa = true;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--chain-verifies") == 0 &&
			 i + 1 < argc)
			chain = atoi(argv[++i]);
		else if (strcmp(argv[i], "--no-rsa") == 0)
			with_rsa = false;
		else {
			fprintf(stderr,
				"usage: %s [--seconds S] "
				"[--chain-verifies N] [--no-rsa]\n",
				argv[0]);
			return 2;
		}
	}
	if (seconds <= 0 || chain < 0 || chain > 8) {
		fprintf(stderr, "hs_ceiling: bad arguments\n");
		return 2;
	}
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	if ((ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
					 NULL, 0)) != 0)
		die("ctr_drbg_seed", ret);
	printf("mbedTLS %s, CPU time of one thread, %.1f s per operation\n",
	       MBEDTLS_VERSION_STRING, seconds);
	x25519 = ecdhe(MBEDTLS_ECP_DP_CURVE25519, "X25519");
	p256 = ecdhe(MBEDTLS_ECP_DP_SECP256R1, "P-256");
	sig_setup(&ec, false);
	sign = time_op("ECDSA P-256 sign", do_sign, &ec);
	verify = time_op("ECDSA P-256 verify (key kept)", do_verify, &ec);
	verify_fresh =
	    time_op("ECDSA P-256 verify (key parsed)", do_verify_fresh, &ec);
	if (with_rsa) {
		sig_setup(&rsa, true);
		rsa_sign = time_op("RSA-2048 sign", do_sign, &rsa);
		rsa_verify = time_op("RSA-2048 verify", do_verify, &rsa);
		mbedtls_pk_free(&rsa.pk);
	}
	mbedtls_pk_free(&ec.pk);

	/* server, P-256 node key, X25519, client chain of `chain` CA
	 * signatures plus CertificateVerify */
	printf("ceiling_full_x25519_p256 %.1f handshakes/s (keygen+shared "
	       "X25519, 1 sign, %d verifies with the CA key, "
	       "CertificateVerify with the client key parsed)\n",
	       1 / (x25519 + sign + chain * verify + verify_fresh), chain);
	printf("ceiling_full_p256_p256 %.1f handshakes/s (keygen+shared "
	       "P-256, the same signatures)\n",
	       1 / (p256 + sign + chain * verify + verify_fresh));
	printf("ceiling_cached_x25519_p256 %.1f handshakes/s (client chain "
	       "cached: CertificateVerify only)\n",
	       1 / (x25519 + sign + verify_fresh));
	printf("ceiling_cached_p256_p256 %.1f handshakes/s (P-256 ECDHE, "
	       "client chain cached)\n",
	       1 / (p256 + sign + verify_fresh));
	if (with_rsa)
		printf(
		    "ceiling_full_x25519_rsa2048 %.1f handshakes/s (RSA-2048 "
		    "node key signs; ECDSA client chain)\n",
		    1 / (x25519 + rsa_sign + chain * verify + verify_fresh));
	printf("server_ms_full p256_node=%.2f",
	       1e3 * (x25519 + sign + chain * verify + verify_fresh));
	if (with_rsa)
		printf(" rsa2048_node=%.2f (RSA-2048 sign %.2f ms, ECDSA P-256 "
		       "sign %.2f ms; RSA-2048 verify %.3f ms)",
		       1e3 *
			   (x25519 + rsa_sign + chain * verify + verify_fresh),
		       1e3 * rsa_sign, 1e3 * sign, 1e3 * rsa_verify);
	printf("\n");
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return 0;
}
