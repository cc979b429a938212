/*
 * shared_buf: an immutable, reference-counted byte buffer, so that a
 * serialized document can be handed to many responses without copies.
 */
#ifndef GOSSIP_SHARED_BUF_H
#define GOSSIP_SHARED_BUF_H

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct shared_buf {
	atomic_int refs;
	size_t len;
	char data[]; /* len bytes, then a NUL */
};

/* A new buffer holding a copy of len bytes, one reference; NULL on ENOMEM. */
static inline struct shared_buf *
shared_buf_new(const void *data, size_t len)
{
	struct shared_buf *b = malloc(sizeof(*b) + len + 1);

	if (b == NULL)
		return NULL;
	atomic_init(&b->refs, 1);
	b->len = len;
	if (len > 0)
		memcpy(b->data, data, len);
	b->data[len] = '\0';
	return b;
}

static inline struct shared_buf *
shared_buf_ref(struct shared_buf *b)
{
	if (b != NULL)
		atomic_fetch_add(&b->refs, 1);
	return b;
}

/* Drops a reference, freeing with the last. Accepts NULL. */
static inline void
shared_buf_unref(struct shared_buf *b)
{
	if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

#endif
