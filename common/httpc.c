/*
 * httpc: outbound HTTP(S) to peers (see httpc.h and docs/modules/httpc.md).
 *
 * One client holds a small table of peers keyed by host:port, each with at
 * most one kept-alive connection and the last TLS session for resumption
 * (httpc_conn.c does the sockets and TLS). Every request runs against one
 * deadline, so a peer that accepts and then says nothing costs at most
 * timeout_ms. TLS material and RNG belong to the client: no globals.
 */
#include "httpc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpc_conn.h"
#include "httpc_parse.h"

#define PATH_MAX_LEN  2048
#define METHOD_MAX    16
#define READ_CHUNK    16384
#define REQ_HEAD_ROOM 512
#define CTYPE_MAX     127

struct exchange {
	const char *req;
	size_t req_len;
	int head;
	const char *what; /* "POST /gossip to 10.0.0.1:2113" */
	int64_t deadline;
	int timeout_ms;
	int closed_early; /* out: the server closed before any response byte */
	int keep;	  /* out: the connection may carry another request */
};

static int
exchange_fail(struct exchange *x, struct httpc_peer *p, enum io_result r,
	      const char *doing, char *err, size_t errlen)
{
	p->fail = r == IO_TIMEOUT ? HTTPC_ERR_TIMEOUT : HTTPC_ERR_IO;
	if (r == IO_TIMEOUT)
		return httpc_conn_timed_out(err, errlen, x->what,
					    x->timeout_ms);
	if (p->io_errno != 0) {
		snprintf(err, errlen, "%s: %s: %s", x->what, doing,
			 strerror(p->io_errno));
	} else {
		char what[300];

		/* A long peer name is cut: the reason that follows matters
		 * more than the end of the name. */
		if (snprintf(what, sizeof what, "%s: %s", x->what, doing) >=
		    (int)sizeof what)
			what[sizeof what - 2] = '~';
		mbed_err(err, errlen, what, p->tls_err);
	}
	return -1;
}

static int
exchange(struct httpc *c, struct httpc_peer *p, struct exchange *x,
	 struct httpc_response *resp, char *err, size_t errlen)
{
	struct httpc_parser hp;
	char buf[READ_CHUNK];
	enum io_result r;
	size_t n = 0, extra = 0;
	int rc = 0, reset = 0;

	x->closed_early = 0;
	x->keep = 0;
	p->fail = HTTPC_ERR_HTTP; /* unless the connection fails */
	p->io_errno = 0;
	p->tls_err = 0;
	r = httpc_conn_write(p, x->req, x->req_len, x->deadline, &reset);
	if (r != IO_OK) {
		x->closed_early = reset;
		return exchange_fail(x, p, r, "sending the request", err,
				     errlen);
	}
	httpc_parser_init(&hp, c->max_body, x->head);
	while (rc == 0) {
		r = httpc_conn_read(p, buf, sizeof buf, x->deadline, &n,
				    &reset);
		if (r == IO_OK) {
			rc =
			    httpc_parser_feed(&hp, buf, n, &extra, err, errlen);
		} else if (r == IO_EOF || (r == IO_FAIL && reset)) {
			if (!hp.seen_bytes) {
				x->closed_early = 1;
				p->fail = HTTPC_ERR_IO;
				snprintf(err, errlen,
					 "%s: connection closed by the server "
					 "before any response",
					 x->what);
				rc = -1;
				break;
			}
			rc = r == IO_EOF ? httpc_parser_eof(&hp, err, errlen)
					 : -1;
			if (rc < 0)
				p->fail = HTTPC_ERR_IO; /* cut mid-answer */
			if (r != IO_EOF)
				exchange_fail(x, p, r, "reading the response",
					      err, errlen);
			extra = 1; /* the connection is gone */
		} else {
			exchange_fail(x, p, r, "reading the response", err,
				      errlen);
			rc = -1;
		}
	}
	if (rc == 1) {
		x->keep = extra == 0 && httpc_parser_keep_alive(&hp);
		rc = httpc_parser_take(&hp, resp, err, errlen) == 0 ? 0 : -1;
	} else if (rc < 0 && !x->closed_early &&
		   strncmp(err, x->what, strlen(x->what))) {
		/* Parser reasons get the request as context. */
		char reason[256];

		snprintf(reason, sizeof reason, "%s", err);
		snprintf(err, errlen, "%s: %s", x->what, reason);
	}
	httpc_parser_free(&hp);
	return rc == 0 ? 0 : -1;
}

/* ---- requests ------------------------------------------------------- */

static int
token_ok(const char *s, size_t max, int (*ok)(int))
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (n >= max || !ok((unsigned char)s[n]))
			return 0;
	}
	return n > 0;
}

static int
method_char(int ch)
{
	return ch >= 'A' && ch <= 'Z';
}

/* Visible ASCII: no space, CR, LF or other control (no header injection). */
static int
path_char(int ch)
{
	return ch > 0x20 && ch < 0x7f;
}

static int
ctype_char(int ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

static int
host_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
	       ch == '_' || ch == ':';
}

/* Splits "[v6]" brackets off and checks the name; fills p's names. */
static int
peer_names(struct httpc_peer *p, const char *host, int port, char *err,
	   size_t errlen)
{
	size_t len = strlen(host);

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len == 0 || len > HOST_MAX) {
		snprintf(err, errlen, "invalid host name (length %zu)", len);
		return -1;
	}
	memcpy(p->host, host, len);
	p->host[len] = '\0';
	if (!token_ok(p->host, HOST_MAX, host_char)) {
		snprintf(err, errlen, "invalid host name \"%.64s\"", p->host);
		return -1;
	}
	if (port < 1 || port > 65535) {
		snprintf(err, errlen, "invalid port %d", port);
		return -1;
	}
	p->port = port;
	snprintf(p->name, sizeof p->name,
		 strchr(p->host, ':') ? "[%s]:%d" : "%s:%d", p->host, port);
	return 0;
}

static void
peer_free(struct httpc_peer *p)
{
	if (p == NULL)
		return;
	httpc_conn_close(p);
	httpc_conn_session_drop(p);
	free(p);
}

/* The peer entry for host:port, made (evicting the least recent) if new. */
static struct httpc_peer *
peer_get(struct httpc *c, const struct httpc_peer *want)
{
	struct httpc_peer *p;
	int i, free_slot = -1, oldest = -1;

	for (i = 0; i < HTTPC_MAX_PEERS; i++) {
		p = c->peers[i];
		if (p == NULL) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (p->port == want->port &&
		    strcasecmp(p->host, want->host) == 0)
			return p;
		if (oldest < 0 || p->last_use < c->peers[oldest]->last_use)
			oldest = i;
	}
	if (free_slot < 0) {
		peer_free(c->peers[oldest]);
		c->peers[oldest] = NULL;
		free_slot = oldest;
	}
	p = malloc(sizeof *p);
	if (p == NULL)
		return NULL;
	*p = *want;
	p->fd = -1;
	p->tls = 0;
	p->resumed = 0;
	p->have_session = 0;
	mbedtls_ssl_session_init(&p->session);
	c->peers[free_slot] = p;
	return p;
}

/* The request bytes, head and body in one buffer (one write, no Nagle). */
static char *
build_request(const struct httpc_peer *p, const char *method, const char *path,
	      const char *content_type, const void *body, size_t body_len,
	      size_t *out_len)
{
	int with_body =
	    body != NULL || body_len > 0 || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;
	size_t cap = REQ_HEAD_ROOM + strlen(path) + sizeof p->name +
		     (content_type ? strlen(content_type) : 0);
	char *req;
	int n;

	if (body_len > SIZE_MAX - cap)
		return NULL;
	req = malloc(cap + body_len);
	if (req == NULL)
		return NULL;
	n = snprintf(req, cap,
		     "%s %s HTTP/1.1\r\nHost: %s\r\n"
		     "Accept: application/json\r\nConnection: keep-alive\r\n",
		     method, path, p->name);
	if (with_body && content_type != NULL)
		n += snprintf(req + n, cap - (size_t)n, "Content-Type: %s\r\n",
			      content_type);
	if (with_body)
		n += snprintf(req + n, cap - (size_t)n,
			      "Content-Length: %zu\r\n", body_len);
	n += snprintf(req + n, cap - (size_t)n, "\r\n");
	if (body_len > 0)
		memcpy(req + n, body, body_len);
	*out_len = (size_t)n + body_len;
	return req;
}

static int
check_request(const char *method, const char *path, const char *content_type,
	      const void *body, size_t body_len, int timeout_ms, char *err,
	      size_t errlen)
{
	if (method == NULL || !token_ok(method, METHOD_MAX, method_char)) {
		snprintf(err, errlen, "invalid HTTP method");
		return -1;
	}
	if (path == NULL || path[0] != '/' ||
	    !token_ok(path, PATH_MAX_LEN, path_char)) {
		snprintf(err, errlen, "invalid request path");
		return -1;
	}
	if (content_type != NULL &&
	    !token_ok(content_type, CTYPE_MAX, ctype_char)) {
		snprintf(err, errlen, "invalid content type");
		return -1;
	}
	if (body == NULL && body_len > 0) {
		snprintf(err, errlen, "body_len without a body");
		return -1;
	}
	if (timeout_ms <= 0) {
		snprintf(err, errlen, "invalid timeout %d ms", timeout_ms);
		return -1;
	}
	return 0;
}

enum httpc_err
httpc_request(struct httpc *c, const char *host, int port, const char *method,
	      const char *path, const char *content_type, const void *body,
	      size_t body_len, int timeout_ms, struct httpc_response *resp,
	      char *err, size_t errlen)
{
	int64_t deadline = clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct httpc_peer want, *p;
	struct exchange x;
	char what[sizeof want.name + PATH_MAX_LEN + METHOD_MAX + 8];
	char *req = NULL;
	int reused = 0;
	enum httpc_err rc = HTTPC_ERR_LOCAL;

	memset(resp, 0, sizeof *resp);
	memset(&want, 0, sizeof want);
	c->last_errno = 0;
	if (host == NULL || peer_names(&want, host, port, err, errlen) != 0 ||
	    check_request(method, path, content_type, body, body_len,
			  timeout_ms, err, errlen) != 0)
		return HTTPC_ERR_LOCAL;
	p = peer_get(c, &want);
	req = build_request(&want, method, path, content_type, body, body_len,
			    &x.req_len);
	if (p == NULL || req == NULL) {
		snprintf(err, errlen, "out of memory for a request");
		goto out;
	}
	p->last_use = ++c->clock;
	snprintf(what, sizeof what, "%s %s to %s", method, path,
		 c->unix_path[0] != '\0' ? c->unix_path : p->name);
	x.req = req;
	x.head = strcmp(method, "HEAD") == 0;
	x.what = what;
	x.deadline = deadline;
	x.timeout_ms = timeout_ms;
	if (p->fd >= 0 && clock_mono_ms() - p->idle_since <= c->max_idle_ms &&
	    httpc_conn_idle_ok(p))
		reused = 1;
	else
		httpc_conn_close(p);
	for (;;) {
		p->fail = HTTPC_ERR_LOCAL;
		if (p->fd < 0 && httpc_conn_open(c, p, deadline, timeout_ms,
						 err, errlen) != 0) {
			rc = p->fail;
			goto out;
		}
		if (exchange(c, p, &x, resp, err, errlen) == 0)
			break;
		httpc_conn_close(p);
		rc = p->fail;
		/* A kept-alive connection the server had just closed. */
		if (!(reused && x.closed_early))
			goto out;
		reused = 0;
	}
	resp->conn_reused = reused;
	resp->tls_resumed = p->resumed;
	resp->peer_not_after = httpc_conn_peer_not_after(p);
	if (!x.keep)
		httpc_conn_close(p);
	p->idle_since = clock_mono_ms();
	rc = HTTPC_OK;
out:
	free(req);
	return rc;
}

void
httpc_response_free(struct httpc_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}

/* ---- the client ----------------------------------------------------- */

struct httpc *
httpc_new(const struct httpc_config *cfg, char *err, size_t errlen)
{
	static const char pers[] = "gossipd httpc";
	struct httpc *c = calloc(1, sizeof *c);
	int ret;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mbedtls_entropy_init(&c->entropy);
	mbedtls_ctr_drbg_init(&c->drbg);
	mbedtls_x509_crt_init(&c->ca);
	mbedtls_x509_crt_init(&c->cert);
	mbedtls_pk_init(&c->key);
	c->max_body = cfg->max_body ? cfg->max_body : HTTPC_MAX_BODY_DEFAULT;
	c->max_idle_ms =
	    cfg->max_idle_ms > 0 ? cfg->max_idle_ms : HTTPC_MAX_IDLE_MS_DEFAULT;
	if (cfg->unix_socket != NULL) {
		if (strlen(cfg->unix_socket) > HTTPC_UNIX_PATH_MAX ||
		    cfg->unix_socket[0] == '\0') {
			snprintf(err, errlen,
				 "socket path is empty or longer than %d "
				 "bytes: %.128s",
				 HTTPC_UNIX_PATH_MAX, cfg->unix_socket);
			httpc_free(c);
			return NULL;
		}
		snprintf(c->unix_path, sizeof c->unix_path, "%s",
			 cfg->unix_socket);
		c->plain = 1;
		return c;
	}
	c->plain =
	    cfg->plain_http || (cfg->creds == NULL && cfg->ca_file == NULL &&
				cfg->cert_file == NULL &&
				cfg->key_file == NULL && !cfg->verify_none);
	if (c->plain)
		return c;
	c->verify = !cfg->verify_none;
	ret =
	    mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func, &c->entropy,
				  (const unsigned char *)pers, sizeof pers - 1);
	if (ret != 0) {
		mbed_err(err, errlen, "seeding the random generator", ret);
		goto fail;
	}
	if (cfg->creds != NULL) {
		c->creds = tls_creds_ref(cfg->creds);
		c->conf = httpc_conn_conf_new(
		    c, &c->creds->trusted,
		    c->creds->have_crl ? &c->creds->crl : NULL,
		    &c->creds->chain, &c->creds->key, err, errlen);
	} else {
		if (httpc_conn_load_files(c, cfg, err, errlen) != 0)
			goto fail;
		c->conf = httpc_conn_conf_new(c, &c->ca, NULL,
					      c->cert.version ? &c->cert : NULL,
					      &c->key, err, errlen);
	}
	if (c->conf == NULL)
		goto fail;
	return c;
fail:
	httpc_free(c);
	return NULL;
}

int
httpc_last_errno(const struct httpc *c)
{
	return c->last_errno;
}

void
httpc_close_idle(struct httpc *c)
{
	for (int i = 0; c != NULL && i < HTTPC_MAX_PEERS; i++) {
		if (c->peers[i] != NULL)
			httpc_conn_close(c->peers[i]);
	}
}

/*
 * Every connection and saved session was made with the old credentials;
 * a session resumed after a reload would skip the new trust store and
 * CRL, so both go now (the client is thread-confined: none is in use).
 */
void
httpc_set_creds(struct httpc *c, struct tls_creds *creds)
{
	mbedtls_ssl_config *conf;
	char err[256];

	if (c == NULL || c->plain || creds == NULL || creds == c->creds)
		return;
	tls_creds_ref(creds);
	conf = httpc_conn_conf_new(c, &creds->trusted,
				   creds->have_crl ? &creds->crl : NULL,
				   &creds->chain, &creds->key, err, sizeof err);
	if (conf == NULL) {
		/* Out of memory: the old credentials stay. */
		tls_creds_unref(creds);
		return;
	}
	for (int i = 0; i < HTTPC_MAX_PEERS; i++) {
		if (c->peers[i] != NULL) {
			httpc_conn_close(c->peers[i]);
			httpc_conn_session_drop(c->peers[i]);
		}
	}
	httpc_conn_conf_free(c->conf);
	c->conf = conf;
	tls_creds_unref(c->creds);
	c->creds = creds;
}

void
httpc_free(struct httpc *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < HTTPC_MAX_PEERS; i++)
		peer_free(c->peers[i]);
	httpc_conn_conf_free(c->conf);
	tls_creds_unref(c->creds);
	mbedtls_x509_crt_free(&c->ca);
	mbedtls_x509_crt_free(&c->cert);
	mbedtls_pk_free(&c->key);
	mbedtls_ctr_drbg_free(&c->drbg);
	mbedtls_entropy_free(&c->entropy);
	free(c);
}
