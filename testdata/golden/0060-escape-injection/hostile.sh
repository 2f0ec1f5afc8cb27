# hostile.sh -- write a client log whose fields carry terminal escapes
# (ESC, BEL, OSC title, clear screen, colours, an 8-bit CSI, a C1 CSI,
# a bidi override), invalid UTF-8 and a NUL byte, and secrets in a URL
# (usage: sh hostile.sh > FILE)
e() { printf '01/15/2021|09:12:0%s 2A10:3B4C INFO  :: %s\r\n' "$1" "$2"; }
blk() { # time dir(Sending Packet|Data Received) text...
	t=$1; d=$2; shift 2
	if [ "$d" = S ]; then h="Sending Packet - 10.0.0.20:443 (From Local Address: 192.168.1.40:51234) 100 bytes:"
	else h="Data Received - 10.0.0.20:443 (To Local Address: 192.168.1.40:51234) 100 bytes:"; fi
	e "$t" "$h"
	printf '01/15/2021|09:12:0%s 2A10:3B4C INFO  :: ' "$t"
	for l in "$@"; do printf '%b\r\n' "$l"; done
	printf '\r\n'
	e "$t" "End of $(printf '%s' "$h" | sed 's/:$//')"
}
blk 3.100 S 'REGISTER sip:contoso.com SIP/2.0' \
	'From: <sip:alice@contoso.com>;tag=a1;epid=ep\0377\0376' \
	'To: <sip:alice@contoso.com>' \
	'Call-ID: c1\033]0;pwned\007' 'CSeq: 1 REGISTER' \
	'User-Agent: UCCAPI/16.0' 'Content-Length: 0'
blk 3.200 R 'SIP/2.0 403 Forbidden\033[2J\033[H' \
	'From: <sip:alice@contoso.com>;tag=a1;epid=ep\0377\0376' \
	'To: <sip:alice@contoso.com>;tag=b2' \
	'Call-ID: c1\033]0;pwned\007' 'CSeq: 1 REGISTER' \
	'ms-diagnostics: 1000;reason="Bad \033[31mred\033[0m\007 \0302\0233 8-bit \0233 and \0342\0200\0256bidi";source="sip.contoso.com\033[5m"' \
	'Server: RTC/7.0\033[8m' 'Content-Length: 0'
blk 3.300 R 'SIP/2.0 480 Temporarily\0000Unavailable' \
	'Call-ID: c2\0000hidden' 'CSeq: 1 OPTIONS' 'Content-Length: 0'
blk 3.400 S 'GET https://web.contoso.com/x?access_token=eyJhbGciOiJSUzI1NiJ9abcdefgh&sig=s3cr3t HTTP/1.1' \
	'Host: web.contoso.com' 'Cookie: MSISAuth=abcdef0123' 'Content-Length: 0'
