# bigbody.sh -- a client log: a SIP answer whose body is "provisionGroupList",
# N bytes of "a" and "ZZZMARK", then an OPTIONS with a Subject of 50 "a"
# (usage: sh bigbody.sh N > FILE)
n=$1
body=$( { printf 'provisionGroupList'; head -c "$n" /dev/zero | tr '\0' a; printf ZZZMARK; } )
len=$(printf '%s' "$body" | wc -c)
printf '01/15/2021|09:12:03.100 2A10:3B4C INFO  :: Data Received - 10.0.0.20:443 (To Local Address: 192.168.1.40:51234) %d bytes:\r\n' "$len"
printf '01/15/2021|09:12:03.100 2A10:3B4C INFO  :: SIP/2.0 200 OK\r\nCall-ID: big1\r\nCSeq: 1 SUBSCRIBE\r\nContent-Type: application/vnd-microsoft-roaming-provisioning-v2+xml\r\nContent-Length: %d\r\n\r\n%s\r\n' "$len" "$body"
printf '01/15/2021|09:12:03.100 2A10:3B4C INFO  :: End of Data Received - 10.0.0.20:443 (To Local Address: 192.168.1.40:51234) %d bytes\r\n' "$len"
printf '01/15/2021|09:12:03.200 2A10:3B4C INFO  :: Sending Packet - 10.0.0.20:443 (From Local Address: 192.168.1.40:51234) 60 bytes:\r\n'
printf '01/15/2021|09:12:03.200 2A10:3B4C INFO  :: OPTIONS sip:contoso.com SIP/2.0\r\nSubject: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nCall-ID: small2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n'
printf '01/15/2021|09:12:03.200 2A10:3B4C INFO  :: End of Sending Packet - 10.0.0.20:443 (From Local Address: 192.168.1.40:51234) 60 bytes\r\n'
