#!/bin/bash
# t_baresip_tls.sh - t_baresip.sh with the phones on a TLS listener: two
# baresip instances register with digest auth over TLS (account
# <sip:USER@127.0.0.1:PORT;transport=tls>, the test CA in sip_cafile) and
# call each other through the record-routing proxy, the audio checked as
# in t_baresip.sh. Proves RFC 3261 26.2 / 18 (SIP over TLS, a connection
# per hop) with a real client, and RFC 3261 16.6 item 4 over a connection:
# the Record-Route names our TLS listener, not the caller's connection, so
# the ACK and BYE come back to us.
JN_BARESIP_TLS=1 exec bash "$(dirname "$0")/t_baresip.sh"
