/* Interim (issue 2 commit): TLS serving lands with issue 4; until then
 * cmd_start refuses to start without --insecure, so nothing calls these. */
#include <stdio.h>

#include "tls_conn.h"
#include "tls_server.h"

int
tls_conn_start(struct conn *c)
{
	(void)c;
	return -1;
}

int
tls_conn_handshake(struct conn *c)
{
	(void)c;
	return -1;
}

ssize_t
tls_conn_recv(struct conn *c, char *buf, size_t len)
{
	(void)c;
	(void)buf;
	(void)len;
	return -2;
}

ssize_t
tls_conn_send(struct conn *c, const char *buf, size_t len)
{
	(void)c;
	(void)buf;
	(void)len;
	return -2;
}

void
tls_conn_close_notify(struct conn *c)
{
	(void)c;
}

void
tls_conn_free(struct conn *c)
{
	(void)c;
}

int
tls_server_update(struct listener *l, struct tls_creds *creds, char *err,
		  size_t errlen)
{
	(void)l;
	(void)creds;
	snprintf(err, errlen, "TLS serving is not built yet; use --insecure");
	return -1;
}

void
tls_server_release(struct listener *l)
{
	(void)l;
}
