// A role's ACM and Route 53 statements: the public name's certificate, by tag; its records, in its
// zone and under its name only; a former name's records, to delete; none of either without a name.
import type { PublicName } from "./stackfiles";
import { Scope, scopeTerms } from "./scope";
import { Sorter, is, service, uniq } from "./statements";

/** The scope's certificates, for its names only, and its names' records, in their zones only. */
export function allowNames(sort: Sorter, s: Scope): void {
    const { arn, tags } = scopeTerms(s);
    const names = s.publicNames.filter((n) => n.makes !== "record").map((n) => n.hostname);
    if (names.length === 0) sort.drop(is("acm:RequestCertificate"));
    if (names.length + s.retiredNames.length === 0) sort.drop(service("acm"));
    if (s.publicNames.length + s.retiredNames.length === 0) sort.drop(service("route53"));
    // The tags are the request's own condition keys (no AddTagsToCertificate is asked of it): tagging
    // a certificate is then allowed only on the stack's own, so none of another can become its own.
    sort.add("RequestCertificatesForThisStacksNames", is("acm:RequestCertificate"), "*", {
        StringEquals: { ...tags("aws:RequestTag").StringEquals, "acm:ValidationMethod": "DNS" },
        "ForAllValues:StringEquals": { "acm:DomainNames": names },
    });
    sort.add("ThisStacksCertificates", service("acm"), arn("acm", "certificate/*"), tags("aws:ResourceTag"));
    const zoneArns = (of: PublicName[]) =>
        uniq(of.map((n) => `arn:${s.partition}:route53:::hostedzone/${n.hostedZoneId}`));
    const records = (of: PublicName[]) => ({
        "ForAllValues:StringLike": {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": of.flatMap(recordsOf),
        },
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "CNAME"] },
    });
    const retired = s.retiredNames;
    const changes = is("route53:ChangeResourceRecordSets");
    if (s.publicNames.length)
        sort.add("ThisStacksRecords", changes, zoneArns(s.publicNames), records(s.publicNames), true);
    const formerRecords = records(retired);
    if (retired.length)
        sort.add(
            "DeleteTheRecordsOfItsFormerNames",
            changes,
            zoneArns(retired),
            {
                ...formerRecords,
                "ForAllValues:StringEquals": {
                    ...formerRecords["ForAllValues:StringEquals"],
                    "route53:ChangeResourceRecordSetsActions": ["DELETE"],
                },
            },
            true,
        );
    sort.drop(changes);
    const zones = zoneArns([...s.publicNames, ...retired]);
    sort.add("ReadThisStacksZones", is("route53:GetHostedZone", "route53:ListResourceRecordSets"), zones);
    sort.add("WaitForRecordChanges", is("route53:GetChange"), `arn:${s.partition}:route53:::change/*`);
}

/**
 * The records a name asks for, nothing else of its zone: the name (its alias to the load balancer),
 * ACM's validation record for it (`_<32 hex digits>.<name>`, the wildcard's without its `*.`), or both.
 * A wildcard never stands as a record name: in a StringLike condition it would match every app's host.
 */
function recordsOf({ hostname, makes }: PublicName): string[] {
    const validation = `_${"?".repeat(32)}.${hostname.replace(/^\*\./, "")}`;
    if (makes === "certificate") return [validation];
    if (makes === "record") return [hostname];
    return [hostname, validation];
}
