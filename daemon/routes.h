/*
 * routes: the HTTP endpoints behind libmicrohttpd. routes.c owns the
 * dispatch table, body collection (with the size bound), method checks
 * (405 with Allow), and the response helpers below.
 */
#ifndef GOSSIPD_ROUTES_H
#define GOSSIPD_ROUTES_H

#include <microhttpd.h>
#include <stddef.h>

#include "access.h"
#include "gossipd.h"
#include "node_auth.h"
#include "shared_buf.h"

#define CT_JSON "application/json; charset=utf-8"

struct worker;

struct request {
	struct gossipd *d;
	struct worker *w; /* the worker the connection lives on */
	/* the configuration pinned for the whole request (routes.c takes
	 * the reference at the first call and drops it at completion) */
	const struct gossipd_config *cfg;
	struct MHD_Connection *conn;
	const char *method; /* "GET", "HEAD", ... */
	const char *path;   /* without the query */
	const char *body;   /* collected body (NUL-terminated), or NULL */
	size_t body_len;
	enum node_identity identity;
	const char *peer_cn;   /* CN of the client certificate, or "" */
	const char *peer_addr; /* "ip:port" of the real peer */
	/*
	 * A handler that suspended the connection (MHD_suspend_connection)
	 * keeps its state here; once the connection is resumed, the handler
	 * is called again and must answer. pending_free drops the state if
	 * the request ends first.
	 */
	void *pending;
	void (*pending_free)(void *pending);
};

typedef enum MHD_Result (*route_fn)(struct request *r);

/* The options that the identity rules (access.h) read. */
struct access_switches routes_access_switches(const struct gossipd_config *cfg);

/* Answers with a copy of body. */
enum MHD_Result respond_bytes(struct request *r, unsigned status,
			      const char *content_type, const void *body,
			      size_t len);
/* 200 with buf, without copying (the caller's reference is handed over);
 * a NULL buf (the renderer ran out of memory) is answered 500 with why. */
enum MHD_Result respond_rendered(struct request *r, const char *content_type,
				 struct shared_buf *buf, const char *why);
/* A refusal by identity: 401 without a (valid) certificate, else 403. */
enum MHD_Result respond_refused(struct request *r, const char *msg);
/* {"error":"msg"} with the status; msg must not echo request bytes. */
enum MHD_Result respond_error(struct request *r, unsigned status,
			      const char *msg);
/* An empty body (204, or 200 for HEAD-like answers). */
enum MHD_Result respond_empty(struct request *r, unsigned status);

/* A query argument, or NULL. */
const char *request_arg(struct request *r, const char *name);
/* A request header, or NULL. */
const char *request_header(struct request *r, const char *name);

/*
 * The libmicrohttpd access handler (cls: the struct worker of the
 * connection): dispatch, body collection within cfg->max_body_bytes,
 * method and identity checks.
 * The request state it allocates in *req_cls is freed by
 * routes_completed, which must be set as MHD_OPTION_NOTIFY_COMPLETED.
 */
enum MHD_Result routes_handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls);
void routes_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
		      enum MHD_RequestTerminationCode toe);

#endif
