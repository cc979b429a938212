/*
 * conn_info: a connection's identity, shared by the pump and
 * libmicrohttpd (see conn_info.h).
 */
#include "conn_info.h"

#include <stdlib.h>

#include "access.h"

void
conn_info_unref(struct conn_info *ci)
{
	if (ci != NULL && --ci->refs == 0)
		free(ci);
}

enum node_identity
conn_info_identity(const struct conn_info *ci, time_t now)
{
	return access_identity_at(ci->identity, ci->not_after, now);
}
