/*
 * ip_limits: a mutex-guarded chained hash table of peer address (or IPv6
 * prefix) -> open connections, and the list of counted connections not
 * answered yet, oldest first. Entries are removed when their count drops
 * to zero, so the table holds at most as many entries as there are open
 * connections.
 */
#include "ip_limits.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_BUCKETS 1024

struct ip_entry {
	struct ip_entry *next;
	uint8_t key[17]; /* family byte, then 16 address bytes */
	int count;
};

struct ip_limits {
	pthread_mutex_t lock;
	int max_total, max_per_ip, v6_prefix;
	int total;
	struct ip_slot *wait_head, *wait_tail; /* oldest first */
	struct ip_entry *buckets[N_BUCKETS];
};

struct ip_limits *
ip_limits_new(int max_total, int max_per_ip, int v6_prefix)
{
	struct ip_limits *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	ip_limits_set(t, max_total, max_per_ip, v6_prefix);
	return t;
}

void
ip_limits_set(struct ip_limits *t, int max_total, int max_per_ip, int v6_prefix)
{
	pthread_mutex_lock(&t->lock);
	t->max_total = max_total;
	t->max_per_ip = max_per_ip;
	t->v6_prefix = v6_prefix < 1 || v6_prefix > 128 ? 128 : v6_prefix;
	pthread_mutex_unlock(&t->lock);
}

void
ip_limits_free(struct ip_limits *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < N_BUCKETS; i++) {
		while (t->buckets[i] != NULL) {
			struct ip_entry *e = t->buckets[i];

			t->buckets[i] = e->next;
			free(e);
		}
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* An IPv4 peer (also as an IPv4-mapped IPv6 address, on a "::" listener)
 * by its address; an IPv6 peer by its first v6_prefix bits. */
static void
make_key(const struct ip_limits *t, const struct sockaddr *sa, uint8_t key[17])
{
	memset(key, 0, 17);
	key[0] = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET) {
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;
		int bits = t->v6_prefix, i;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			key[0] = AF_INET;
			memcpy(key + 1, a->s6_addr + 12, 4);
			return;
		}
		for (i = 0; i < 16 && bits > 0; i++, bits -= 8)
			key[1 + i] = bits >= 8
					 ? a->s6_addr[i]
					 : (uint8_t)(a->s6_addr[i] &
						     (0xff << (8 - bits)));
	}
}

static size_t
hash_key(const uint8_t key[17])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < 17; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % N_BUCKETS;
}

static struct ip_entry **
find(struct ip_limits *t, const uint8_t key[17])
{
	struct ip_entry **pp = &t->buckets[hash_key(key)];

	while (*pp != NULL && memcmp((*pp)->key, key, 17) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* One connection less for key. */
static void
count_down(struct ip_limits *t, const uint8_t key[17])
{
	struct ip_entry **pp = find(t, key), *e = *pp;

	if (e != NULL && --e->count == 0) {
		*pp = e->next;
		free(e);
	}
}

static void
wait_unlink(struct ip_limits *t, struct ip_slot *s)
{
	if (!s->waiting)
		return;
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		t->wait_head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		t->wait_tail = s->prev;
	s->prev = s->next = NULL;
	s->waiting = false;
}

/* The oldest waiting connection gives its place (the total stays). */
static void
evict_oldest(struct ip_limits *t)
{
	struct ip_slot *old = t->wait_head;

	wait_unlink(t, old);
	count_down(t, old->key);
	old->released = true;
	atomic_store(&old->evicted, true);
}

static void
wait_append(struct ip_limits *t, struct ip_slot *s)
{
	s->prev = t->wait_tail;
	if (t->wait_tail != NULL)
		t->wait_tail->next = s;
	else
		t->wait_head = s;
	t->wait_tail = s;
	s->waiting = true;
}

enum ip_limit_verdict
ip_limits_acquire(struct ip_limits *t, const struct sockaddr *sa,
		  struct ip_slot **slot, bool *evicted)
{
	enum ip_limit_verdict v = IPL_OK;
	struct ip_slot *s = calloc(1, sizeof(*s));
	struct ip_entry **pp, *e;
	bool full;

	*slot = NULL;
	*evicted = false;
	if (s == NULL)
		return IPL_TOTAL; /* out of memory: refuse like a full table */
	make_key(t, sa, s->key);
	atomic_init(&s->evicted, false);
	pthread_mutex_lock(&t->lock);
	pp = find(t, s->key);
	e = *pp;
	full = t->max_total > 0 && t->total >= t->max_total;
	if (t->max_per_ip > 0 && e != NULL && e->count >= t->max_per_ip) {
		v = IPL_PER_IP;
	} else if (full && t->wait_head == NULL) {
		v = IPL_TOTAL;
	} else if (e == NULL && (e = calloc(1, sizeof(*e))) == NULL) {
		v = IPL_TOTAL;
	} else {
		if (*pp == NULL) {
			memcpy(e->key, s->key, 17);
			*pp = e;
		}
		e->count++;
		if (full) {
			evict_oldest(t);
			*evicted = true;
		} else {
			t->total++;
		}
		wait_append(t, s);
	}
	pthread_mutex_unlock(&t->lock);
	if (v != IPL_OK)
		free(s);
	else
		*slot = s;
	return v;
}

void
ip_limits_answered(struct ip_limits *t, struct ip_slot *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	wait_unlink(t, s);
	pthread_mutex_unlock(&t->lock);
}

void
ip_limits_release(struct ip_limits *t, struct ip_slot *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	wait_unlink(t, s);
	if (!s->released) {
		t->total--;
		count_down(t, s->key);
	}
	pthread_mutex_unlock(&t->lock);
	free(s);
}
