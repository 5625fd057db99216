import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// A name in a Route 53 hosted zone of the account, and what the stack makes of it: an ACM certificate,
// validated through a record in that zone (ACM renews it the same way for as long as the record
// stays), which a load balancer serves TLS with; and an alias record that points the name at the load
// balancer the AWS Load Balancer Controller made. The service's own name (hostname) has both; a
// platform's shared entry the certificate of `*.<domain>` alone; an app's host on it the record alone.

export interface PublicNameArgs {
    hostname: string;
    hostedZoneId: string;
    /** Whether to issue the name's certificate (default); not for a host another's certificate serves. */
    certificate?: boolean;
}

/** The tags the Load Balancer Controller puts on a Service's load balancer (its pkg/deploy/tracking). */
export function serviceLoadBalancerTags(clusterName: string, namespace: string, service: string) {
    return { "elbv2.k8s.aws/cluster": clusterName, "service.k8s.aws/stack": `${namespace}/${service}` };
}

/** The tags it puts on an IngressGroup's ALB: the group's name is its stack (the same file). */
export function ingressGroupLoadBalancerTags(clusterName: string, group: string) {
    return { "elbv2.k8s.aws/cluster": clusterName, "ingress.k8s.aws/stack": group };
}

export class PublicName extends pulumi.ComponentResource {
    /** The certificate once ACM has issued it: the NLB's listener is made only then. */
    readonly certificateArn?: pulumi.Output<string>;
    readonly url: string;

    constructor(
        name: string,
        private readonly args: PublicNameArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("flask-eks:index:PublicName", name, {}, opts);
        this.url = `https://${args.hostname}`;
        if (args.certificate === false) return;
        const parent = { parent: this };
        const certificate = new aws.acm.Certificate(
            "certificate",
            { domainName: args.hostname, validationMethod: "DNS" },
            parent,
        );
        // One name, one validation record; one that exists already is someone else's, and stays.
        const validation = certificate.domainValidationOptions[0];
        const record = new aws.route53.Record(
            "certificate-validation",
            {
                zoneId: args.hostedZoneId,
                name: validation.resourceRecordName,
                type: validation.resourceRecordType,
                records: [validation.resourceRecordValue],
                ttl: 300,
                allowOverwrite: false,
            },
            parent,
        );
        this.certificateArn = new aws.acm.CertificateValidation(
            "certificate",
            { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
            parent,
        ).certificateArn;
    }

    /**
     * Points the name at the load balancer of a Service or an Ingress, found by the controller's tags
     * once the object has it (its status names the hostname). An alias record: it works at a zone's
     * apex too, and Route 53 answers it with the load balancer's current addresses.
     */
    pointAt(
        service: { status: pulumi.Output<unknown> } & pulumi.Resource,
        tags: pulumi.Input<Record<string, string>>,
    ): void {
        const loadBalancer = aws.lb.getLoadBalancerOutput(
            { tags: service.status.apply(() => pulumi.output(tags)) },
            { parent: this },
        );
        new aws.route53.Record(
            "web",
            {
                zoneId: this.args.hostedZoneId,
                name: this.args.hostname,
                type: "A",
                aliases: [
                    { name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true },
                ],
                allowOverwrite: false,
            },
            // Stryker disable next-line ArrayDeclaration: the alias comes from a lookup that waits for the Service's status, so the record depends on it either way; said here, it stays so if the lookup changes.
            { parent: this, dependsOn: [service] },
        );
        this.registerOutputs({ url: this.url });
    }
}
