#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# mkfixtures.py -- how the fixtures of testdata/rules/ were made: every
# hit/miss of every shipped rule, as an sfbgen recipe (*.gen, run by the
# test runner), a generated log with recorded edits, or a few hand-written
# client log entries.  A maintenance helper, not part of `make test`: run
# it from the top of the tree after build/sfbgen changes, then review
# `git diff testdata/rules` and run `make test-rules`.  It rewrites the
# fixture folders it names and never deletes one.
import os, subprocess
TOP=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
G=TOP+'/build/sfbgen'
R=TOP+'/testdata/rules'
made={}
def d(rule):
    p=os.path.join(R,rule); os.makedirs(p,exist_ok=True); return p
def gen(rule, name, scen, fmt='ucc'):
    args='--scenario %s --format %s --lf'%(scen,fmt)
    open(os.path.join(d(rule),name+'.gen'),'w').write(args+'\n')
    made.setdefault(rule,[]).append(name)
def genbytes(scen, fmt):
    return subprocess.run([G,'--scenario',scen,'--format',fmt,'--lf'],check=True,capture_output=True).stdout.decode('utf-8')
def edit(rule, name, scen, fmt, edits, desc=''):
    t=genbytes(scen,fmt)
    for e in edits:
        if callable(e):
            t=e(t); continue
        old,new=e[0],e[1]
        cnt=e[2] if len(e)>2 else 1
        assert old in t, (rule,name,old)
        t=t.replace(old,new,cnt) if cnt>0 else t.replace(old,new)
    ext='.UccApilog' if fmt=='ucc' else '.log'
    open(os.path.join(d(rule),name+ext),'w').write(t)
    made.setdefault(rule,[]).append(name)
def hand(rule, name, lines, ext='.UccApilog'):
    open(os.path.join(d(rule),name+ext),'w').write(''.join(l+'\n' for l in lines))
    made.setdefault(rule,[]).append(name)
def ucc(t, lvl, text):
    return '01/15/2021|%s 20BE:2CE6 %-5s :: %s'%(t,lvl,text)
def answer_after(marker, new_status, old='SIP/2.0 200 OK'):
    def f(t):
        i=t.index(marker); j=t.index(old,i)
        return t[:j]+new_status+t[j+len(old):]
    return f


def cut_after(marker, end_marker):
    """Keep the log up to the first end_marker line after marker."""
    def f(t):
        i=t.index(marker); j=t.index(end_marker,i); k=t.index('\n',j)
        return t[:k+1]
    return f
def cut_entry_after(marker):
    """Keep the log up to the end of the entry holding marker."""
    def f(t):
        i=t.index(marker)
        # the next line that starts an entry (MM/DD/YYYY|)
        import re
        m=re.compile(r'\n\d\d/\d\d/\d{4}\|').search(t,i)
        return t[:m.start()+1]
    return f
START=ucc('09:12:03.405','INFO','SignIn: starting sign-in for sip:alice@contoso.com (server configuration: automatic, client 16.0.4849.1000)')

# ---------------- discovery ----------------
gen('discovery.lyncdiscover-not-published','hit-ntlm-external-ok','ntlm-external-ok')
gen('discovery.lyncdiscover-not-published','miss-ntlm-external-ok-cls','ntlm-external-ok','cls')
hand('discovery.lyncdiscover-not-published','miss-lyncdiscover-resolves',[START,
  ucc('09:12:03.524','INFO','DNS: query lyncdiscover.contoso.com type A returned 203.0.113.20')])
gen('discovery.autodiscover-fallback','hit-kerberos-internal-ok','kerberos-internal-ok')
gen('discovery.autodiscover-fallback','miss-ntlm-external-ok','ntlm-external-ok')
gen('discovery.srv-lookup-failed','hit-proxy-407','proxy-407')
gen('discovery.srv-lookup-failed','miss-kerberos-internal-ok','kerberos-internal-ok')
NOSRV=[START,
  ucc('09:12:03.428','INFO','Lync autodiscovery started for sip:alice@contoso.com'),
  ucc('09:12:03.517','WARN','DNS: query lyncdiscoverinternal.contoso.com type A failed, status=0x8007232b (DNS name does not exist)'),
  ucc('09:12:03.601','WARN','DNS: query lyncdiscover.contoso.com type A failed, status=0x8007232b (DNS name does not exist)'),
  ucc('09:12:03.622','WARN','Lync autodiscovery completed with hr: 0X80004005 sipint: sipext: authint: authext: ucwaint: ucwaext: wts: ucwaurl: telemetryurl: isServiceInRefresh: 0 isTempError: 0'),
  ucc('09:12:03.690','WARN','DNS: query _sipinternaltls._tcp.contoso.com type SRV failed, status=0x8007232b (DNS name does not exist)'),
  ucc('09:12:03.755','WARN','DNS: query _sip._tls.contoso.com type SRV failed, status=0x8007232b (DNS name does not exist)'),
  ucc('09:12:03.801','ERROR','SignIn: sign-in failed for sip:alice@contoso.com, hr=0x80ee0057')]
hand('discovery.no-server-found','hit-every-lookup-fails',NOSRV)
hand('discovery.no-server-found','miss-srv-answers',NOSRV[:6]+[
  ucc('09:12:03.755','INFO','DNS: query _sip._tls.contoso.com type SRV returned sip.contoso.com:443 (priority 0, weight 0)')])
gen('discovery.internal-name-from-outside','hit-webticket-28032-loop','webticket-28032-loop')
gen('discovery.internal-name-from-outside','miss-ntlm-external-ok','ntlm-external-ok')
D1014='ms-diagnostics: 1014;reason="Unable to resolve DNS A record"'
edit('discovery.server-srv-1008','hit-register-504-1008','edge-dns-1014','ucc',
     [(D1014,'ms-diagnostics: 1008;reason="Unable to resolve DNS SRV record"')],'')
gen('discovery.server-srv-1008','miss-edge-dns-1014','edge-dns-1014')
edit('discovery.srv-domain-mismatch-1009','hit-register-504-1009','edge-dns-1014','ucc',
     [(D1014,'ms-diagnostics: 1009;reason="No match for domain in DNS SRV results"')],'')
gen('discovery.srv-domain-mismatch-1009','miss-edge-dns-1014','edge-dns-1014')
gen('discovery.server-dns-a-1014','hit-edge-dns-1014','edge-dns-1014')
gen('discovery.server-dns-a-1014','hit-edge-dns-1014-cls','edge-dns-1014','cls')
gen('discovery.server-dns-a-1014','miss-edge-nexthop-1010','edge-nexthop-1010')
gen('discovery.server-dns-cls','hit-edge-dns-1014-cls','edge-dns-1014','cls')
gen('discovery.server-dns-cls','miss-edge-nexthop-1010-cls','edge-nexthop-1010','cls')

# ---------------- connectivity ----------------
UNTR='hr=0x80090325 SEC_E_UNTRUSTED_ROOT: the certificate chain was issued by an authority that is not trusted'
gen('connectivity.untrusted-root','hit-cert-untrusted','cert-untrusted')
gen('connectivity.untrusted-root','hit-cert-untrusted-cls','cert-untrusted','cls')
gen('connectivity.untrusted-root','miss-lyncdiscoverinternal-only','webticket-28032-loop')
edit('connectivity.cert-name-mismatch','hit-wrong-principal','cert-untrusted','ucc',
     [(UNTR,'hr=0x80090322 SEC_E_WRONG_PRINCIPAL: the target principal name is incorrect'),
      ('hr=0x80090325','hr=0x80090322',0)],'')
gen('connectivity.cert-name-mismatch','miss-cert-untrusted','cert-untrusted')
gen('connectivity.edge-nexthop-1010','hit-edge-nexthop-1010','edge-nexthop-1010')
gen('connectivity.edge-nexthop-1010','hit-edge-nexthop-1010-cls','edge-nexthop-1010','cls')
gen('connectivity.edge-nexthop-1010','miss-federated-invite-1010','im-call-traffic')
gen('connectivity.edge-nexthop-1010','miss-edge-dns-1014','edge-dns-1014')
gen('connectivity.server-cert-mismatch-cls','hit-edge-nexthop-1010-cls','edge-nexthop-1010','cls')
gen('connectivity.server-cert-mismatch-cls','miss-cert-subject-cls','im-call-traffic','cls')
gen('connectivity.server-cert-subject-cls','hit-federation-cls','im-call-traffic','cls')
gen('connectivity.server-cert-subject-cls','miss-certname-cls','edge-nexthop-1010','cls')
gen('connectivity.server-cert-mismatch-cls','miss-edge-dns-1014-cls','edge-dns-1014','cls')
edit('connectivity.cert-expired','hit-cert-expired','cert-untrusted','ucc',
     [(UNTR,'hr=0x80090328 SEC_E_CERT_EXPIRED: the received certificate has expired'),
      ('hr=0x80090325','hr=0x80090328',0)],'')
gen('connectivity.cert-expired','miss-cert-untrusted','cert-untrusted')
edit('connectivity.revocation-offline','hit-revocation-offline','cert-untrusted','ucc',
     [(UNTR,'hr=0x80092013 CRYPT_E_REVOCATION_OFFLINE: the revocation function could not check revocation because the revocation server was offline'),
      ('hr=0x80090325','hr=0x80092013',0)],'')
gen('connectivity.revocation-offline','miss-cert-untrusted','cert-untrusted')
edit('connectivity.tls-version-mismatch','hit-algorithm-mismatch','cert-untrusted','ucc',
     [(UNTR,'hr=0x80090331 SEC_E_ALGORITHM_MISMATCH: the client and server cannot communicate, because they do not possess a common algorithm'),
      ('hr=0x80090325','hr=0x80090331',0)],'')
gen('connectivity.tls-version-mismatch','miss-cert-untrusted','cert-untrusted')
gen('connectivity.http-proxy-407','hit-proxy-407','proxy-407')
gen('connectivity.http-proxy-407','miss-ntlm-external-ok','ntlm-external-ok')
gen('connectivity.tcp-failed','hit-redirect-unreachable','redirect-unreachable')
gen('connectivity.tcp-failed','miss-redirect-301','redirect-301')
WEB=[START,
  ucc('09:12:03.428','INFO','Lync autodiscovery started for sip:alice@contoso.com'),
  ucc('09:12:03.524','INFO','DNS: query lyncdiscover.contoso.com type A returned 203.0.113.20')]
hand('connectivity.web-service-unreachable','hit-cannot-connect',WEB+[
  ucc('09:12:24.530','ERROR','HTTP: GET https://lyncdiscover.contoso.com/?sipuri=alice@contoso.com failed, hr=0x80072efd (ERROR_INTERNET_CANNOT_CONNECT)')])
hand('connectivity.web-service-unreachable','miss-web-answers',WEB+[
  ucc('09:12:03.748','INFO','HTTP: GET https://lyncdiscover.contoso.com/?sipuri=alice@contoso.com answered 200, hr=0x0')])
gen('connectivity.no-transport','hit-proxy-407','proxy-407')
gen('connectivity.no-transport','miss-ntlm-external-ok','ntlm-external-ok')
gen('connectivity.cls-untrusted-route','hit-im-call-traffic-cls','im-call-traffic','cls')
gen('connectivity.cls-untrusted-route','miss-edge-nexthop-1010-cls','edge-nexthop-1010','cls')

# ---------------- authentication ----------------
gen('auth.register-401-loop','hit-register-401-loop','register-401-loop')
gen('auth.register-401-loop','hit-register-401-loop-cls','register-401-loop','cls')
gen('auth.register-401-loop','miss-ntlm-extra-round','ntlm-extra-round')
gen('auth.register-401-loop','miss-ntlm-external-ok','ntlm-external-ok')
gen('auth.webticket-28032','hit-webticket-28032-loop','webticket-28032-loop')
gen('auth.webticket-28032','hit-webticket-28032-loop-cls','webticket-28032-loop','cls')
gen('auth.webticket-28032','miss-tlsdsk-ok','tlsdsk-ok')
gen('auth.webticket-autodiscover-loop','hit-webticket-28032-loop','webticket-28032-loop')
gen('auth.webticket-autodiscover-loop','hit-webticket-28032-loop-cls','webticket-28032-loop','cls')
gen('auth.webticket-autodiscover-loop','miss-tlsdsk-ok','tlsdsk-ok')
edit('auth.webticket-autodiscover-loop','miss-no-final-500','webticket-28032-loop','ucc',
     [('HTTP/1.1 500 Internal Server Error','HTTP/1.1 401 Unauthorized')],'')
gen('auth.webticket-rejected-cls','hit-webticket-28032-loop-cls','webticket-28032-loop','cls')
gen('auth.webticket-rejected-cls','miss-tlsdsk-ok-cls','tlsdsk-ok','cls')
gen('auth.register-pairs-mismatch','hit-ntlm-extra-round','ntlm-extra-round')
gen('auth.register-pairs-mismatch','hit-ntlm-extra-round-cls','ntlm-extra-round','cls')
gen('auth.register-pairs-mismatch','miss-ntlm-external-ok','ntlm-external-ok')
gen('auth.register-pairs-mismatch','miss-redirect-301','redirect-301')
gen('auth.register-pairs-mismatch','miss-tlsdsk-ok','tlsdsk-ok')
gen('auth.challenge-normal','hit-ntlm-external-ok','ntlm-external-ok')
gen('auth.challenge-normal','miss-register-401-loop','register-401-loop')
gen('auth.remote-access-4003','hit-forbidden-4003','forbidden-4003')
gen('auth.remote-access-4003','hit-forbidden-4003-cls','forbidden-4003','cls')
gen('auth.remote-access-4003','miss-stale-user-4004','stale-user-4004')
gen('auth.user-unknown','hit-user-not-found-4005','user-not-found-4005')
gen('auth.user-unknown','hit-user-not-found-4005-cls','user-not-found-4005','cls')
gen('auth.user-unknown','miss-stale-user-4004','stale-user-4004')
gen('auth.stale-user-4004','hit-stale-user-4004','stale-user-4004')
gen('auth.stale-user-4004','hit-stale-user-4004-cls','stale-user-4004','cls')
gen('auth.stale-user-4004','miss-forbidden-4003','forbidden-4003')
edit('auth.final-handshake-1000','hit-register-403-1000','forbidden-4003','ucc',
     [('ms-diagnostics: 4003;reason="From URI not enabled for remote access"','ms-diagnostics: 1000;reason="Final handshake failed"')],'')
gen('auth.final-handshake-1000','miss-forbidden-4003','forbidden-4003')
gen('auth.clock-skew-1013','hit-clock-skew-1013','clock-skew-1013')
gen('auth.clock-skew-1013','hit-clock-skew-1013-cls','clock-skew-1013','cls')
gen('auth.clock-skew-1013','miss-register-401-loop','register-401-loop')
gen('auth.time-skew','hit-clock-skew-1013','clock-skew-1013')
gen('auth.time-skew','hit-clock-skew-1013-cls','clock-skew-1013','cls')
gen('auth.time-skew','miss-register-401-loop','register-401-loop')
gen('auth.logon-denied','hit-register-401-loop-cls','register-401-loop','cls')
gen('auth.logon-denied','miss-clock-skew-1013-cls','clock-skew-1013','cls')
hand('auth.logon-failure','hit-logon-failure',[START,
  ucc('09:12:04.100','ERROR','SignIn: sign-in failed for sip:alice@contoso.com, hr=0x8007052e')])
hand('auth.logon-failure','hit-ad-subcode',[START,
  ucc('09:12:04.100','ERROR','SignIn: sign-in failed for sip:alice@contoso.com, hr=0x80004005 (LDAP: 80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v2580)')])
gen('auth.logon-failure','miss-register-401-loop','register-401-loop')
edit('auth.no-authority','hit-no-authenticating-authority-cls','register-401-loop','cls',
     [('0x8009030c SEC_E_LOGON_DENIED','0x80090311 SEC_E_NO_AUTHENTICATING_AUTHORITY',0),
      ('failed: unknown user name or bad password','failed: no domain controller could be contacted',0)],'')
gen('auth.no-authority','miss-register-401-loop-cls','register-401-loop','cls')
gen('auth.unauthorized-hresult','hit-register-401-loop','register-401-loop')
gen('auth.unauthorized-hresult','miss-ntlm-external-ok','ntlm-external-ok')
hand('auth.no-usable-method','hit-type-not-supported',[START,
  ucc('09:12:04.100','ERROR','SignIn: sign-in failed for sip:alice@contoso.com, hr=0x80ee0010')])
hand('auth.no-usable-method','miss-other-hresult',[START,
  ucc('09:12:04.100','ERROR','SignIn: sign-in failed for sip:alice@contoso.com, hr=0x80ee0011')])
gen('auth.kerberos-offered-ntlm-used','hit-kerberos-then-ntlm','kerberos-then-ntlm')
gen('auth.kerberos-offered-ntlm-used','hit-kerberos-then-ntlm-cls','kerberos-then-ntlm','cls')
gen('auth.kerberos-offered-ntlm-used','miss-kerberos-internal-ok','kerberos-internal-ok')
gen('auth.kerberos-offered-ntlm-used','miss-ntlm-external-ok','ntlm-external-ok')
X28032='X-Ms-diagnostics: 28032;source="fe01.contoso.com";reason="The web ticket is invalid."'
edit('auth.webticket-expired-28033','hit-28033','webticket-28032-loop','ucc',
     [(X28032,'X-Ms-diagnostics: 28033;source="fe01.contoso.com";reason="The web ticket has expired."',0),
      cut_after('X-Ms-diagnostics: 28033','End of Data Received')],'')
gen('auth.webticket-expired-28033','miss-28032','webticket-28032-loop')
edit('auth.oauth-token-refused','hit-28055','webticket-28032-loop','ucc',
     [(X28032,'X-Ms-diagnostics: 28055;source="fe01.contoso.com";reason="The OAuth token is invalid."',0),
      cut_after('X-Ms-diagnostics: 28055','End of Data Received')],'')
gen('auth.oauth-token-refused','miss-28032','webticket-28032-loop')
edit('auth.no-license-28000','hit-28000','webticket-28032-loop','ucc',
     [(X28032,'X-Ms-diagnostics: 28000;source="fe01.contoso.com";reason="The user does not have a valid license."',0),
      cut_after('X-Ms-diagnostics: 28000','End of Data Received')],'')
gen('auth.no-license-28000','miss-28032','webticket-28032-loop')
edit('auth.account-state','hit-account-disabled','webticket-28032-loop','ucc',
     [("trust fault: 'The web ticket is invalid.'","trust fault: 'The account is disabled.'",0),
      cut_entry_after("trust fault: 'The account is disabled.'")],'')
gen('auth.account-state','miss-webticket-28032-loop','webticket-28032-loop')
gen('auth.need-new-cert','hit-webticket-28032-loop','webticket-28032-loop')
gen('auth.need-new-cert','miss-tlsdsk-ok','tlsdsk-ok')
gen('auth.sip-status-hresult','hit-webticket-28032-loop','webticket-28032-loop')
gen('auth.sip-status-hresult','hit-edge-nexthop-1010','edge-nexthop-1010')
gen('auth.sip-status-hresult','miss-register-401-loop','register-401-loop')
hand('auth.user-cert-revoked','hit-cert-revoked',[START,
  ucc('09:12:04.100','ERROR','SignIn: sign-in failed for sip:alice@contoso.com, hr=0x80092010')])
hand('auth.user-cert-revoked','miss-revocation-offline',[START,
  ucc('09:12:04.100','ERROR','SignIn: sign-in failed for sip:alice@contoso.com, hr=0x80092013')])

# ---------------- redirection ----------------
gen('redirect.home-pool','hit-redirect-301','redirect-301')
gen('redirect.home-pool','hit-redirect-301-cls','redirect-301','cls')
gen('redirect.home-pool','miss-redirect-unreachable','redirect-unreachable')
gen('redirect.loop','hit-redirect-loop','redirect-loop')
gen('redirect.loop','hit-redirect-loop-cls','redirect-loop','cls')
gen('redirect.loop','miss-redirect-301','redirect-301')
gen('redirect.target-not-reached','hit-redirect-unreachable','redirect-unreachable')
gen('redirect.target-not-reached','hit-redirect-unreachable-cls','redirect-unreachable','cls')
gen('redirect.target-not-reached','miss-redirect-301','redirect-301')
gen('redirect.target-not-reached','miss-redirect-loop','redirect-loop')
edit('redirect.hybrid-online','hit-redirect-online','redirect-301','ucc',
     [('pool02.contoso.com','sippoolam41a07.infra.lync.com',0)],'')
gen('redirect.hybrid-online','miss-redirect-301','redirect-301')

# ---------------- settings ----------------
for rule,marker,name in [('settings.provisioning-failed','Event: vnd-microsoft-provisioning-v2','provisioning'),
                         ('settings.location-profile-failed','SERVICE sip:','location-profile'),
                         ('settings.contacts-failed','Event: vnd-microsoft-roaming-contacts','contacts')]:
    edit(rule,'hit-%s-500'%name,'ntlm-external-ok','ucc',[answer_after(marker,'SIP/2.0 500 Server Internal Error')],'')
    gen(rule,'miss-ntlm-external-ok','ntlm-external-ok')
edit('settings.provisioning-failed','hit-provisioning-500-cls','ntlm-external-ok','cls',
     [answer_after('Event: vnd-microsoft-provisioning-v2','SIP/2.0 500 Server Internal Error')],'')
edit('settings.acl-not-requested','hit-no-acl-subscribe','ntlm-external-ok','ucc',
     [('vnd-microsoft-roaming-ACL','vnd-microsoft-roaming-xyz',0)],'')
gen('settings.acl-not-requested','miss-ntlm-external-ok','ntlm-external-ok')

# ---------------- general ----------------
gen('general.register-server-error','hit-pool-unavailable-480','pool-unavailable-480')
gen('general.register-server-error','hit-pool-unavailable-480-cls','pool-unavailable-480','cls')
gen('general.register-server-error','miss-overload-17000','overload-17000')
gen('general.register-timeout-504','hit-edge-dns-1014','edge-dns-1014')
gen('general.register-timeout-504','miss-edge-nexthop-1010','edge-nexthop-1010')
gen('general.server-overloaded-17000','hit-overload-17000','overload-17000')
gen('general.server-overloaded-17000','hit-overload-17000-cls','overload-17000','cls')
gen('general.server-overloaded-17000','miss-pool-unavailable-480','pool-unavailable-480')
gen('general.client-version-blocked','hit-client-version-17002','client-version-17002')
gen('general.client-version-blocked','hit-client-version-17002-cls','client-version-17002','cls')
gen('general.client-version-blocked','miss-forbidden-4003','forbidden-4003')
gen('general.federated-nexthop-1010','hit-im-call-traffic','im-call-traffic')
gen('general.federated-nexthop-1010','miss-edge-nexthop-1010','edge-nexthop-1010')
gen('general.registration-lost','hit-registration-lost','registration-lost')
gen('general.registration-lost','hit-registration-lost-cls','registration-lost','cls')
gen('general.registration-lost','miss-ntlm-external-ok','ntlm-external-ok')
gen('general.signin-slow','hit-signin-slow','signin-slow')
gen('general.signin-slow','miss-kerberos-internal-ok','kerberos-internal-ok')
NODIAG='ms-diagnostics: 4003;reason="From URI not enabled for remote access";source="fe01.contoso.com"\n'
edit('general.signin-failed','hit-register-403-no-diagnostics','forbidden-4003','ucc',[(NODIAG,'')],'')
edit('general.signin-failed','hit-register-403-no-diagnostics-cls','forbidden-4003','cls',[(NODIAG,'')],'')
gen('general.signin-failed','miss-forbidden-4003','forbidden-4003')
gen('general.signin-failed','miss-register-401-loop','register-401-loop')
gen('general.signin-failed','miss-ntlm-external-ok','ntlm-external-ok')
gen('general.signin-failed','miss-registration-lost','registration-lost')
edit('connectivity.cert-revoked','hit-server-cert-revoked','cert-untrusted','ucc',
     [(UNTR,'hr=0x80092010 CRYPT_E_REVOKED: the certificate is revoked by its certification authority'),
      ('hr=0x80090325','hr=0x80092010',0)],'')
gen('connectivity.cert-revoked','miss-cert-untrusted','cert-untrusted')
hand('auth.user-cert-revoked','miss-server-cert-revoked',[START,
  ucc('09:12:03.919','ERROR','TLS: handshake with 203.0.113.10:443 (sip.contoso.com) failed, hr=0x80092010 CRYPT_E_REVOKED')])
edit('connectivity.tls-handshake-failed','hit-unknown-tls-code','cert-untrusted','ucc',
     [(UNTR,'hr=0x80090304 SEC_E_INTERNAL_ERROR: the Local Security Authority cannot be contacted'),
      ('hr=0x80090325','hr=0x80090304',0)],'')
gen('connectivity.tls-handshake-failed','miss-cert-untrusted','cert-untrusted')
gen('connectivity.tls-handshake-failed','miss-webticket-28032-loop','webticket-28032-loop')
gen('connectivity.proxy-blocked','hit-proxy-407','proxy-407')
gen('connectivity.proxy-blocked','miss-ntlm-external-ok','ntlm-external-ok')
gen('connectivity.proxy-blocked','miss-cert-untrusted','cert-untrusted')

print(len(made), 'rules with fixtures')
