/*
 * negotiate: what a client asks for with GET /gossip, decided where the
 * unit tests and the fuzzer reach it. The document is JSON only (SPEC.md
 * section 2): `?format=` may name json (any case) and nothing else, and
 * an Accept header must admit JSON: application/json, application/ANY or
 * ANY/ANY (ANY being the asterisk), a range with q=0 admitting nothing.
 * No header, or an empty one, admits everything.
 */
#ifndef GOSSIP_NEGOTIATE_H
#define GOSSIP_NEGOTIATE_H

/* Media ranges longer than this in an Accept header admit nothing. */
#define NEGOTIATE_RANGE_MAX 127

enum negotiate_result {
	NEGOTIATE_JSON = 0,	  /* answer with the JSON document */
	NEGOTIATE_BAD_FORMAT,	  /* ?format= names something else: 406 */
	NEGOTIATE_NOT_ACCEPTABLE, /* Accept admits no JSON: 406 */
};

/* The decision for a ?format= value (NULL when absent) and an Accept
 * header (NULL when absent). Reads both strings only. */
enum negotiate_result negotiate_gossip(const char *format, const char *accept);

#endif
