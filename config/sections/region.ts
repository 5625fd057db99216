import { didYouMean } from "../nearest";
import { COMMERCIAL_REGIONS } from "../regions";
import { Reader } from "../reader";

// The AWS region of an EKS stack: a commercial one, since other partitions' ARNs, endpoints and
// prices differ.

export function region(r: Reader): string | undefined {
    const value = r.string("aws:region");
    return r.check("aws:region", value, (v) =>
        COMMERCIAL_REGIONS.includes(v)
            ? undefined
            : /^(cn|us-gov|us-iso[a-z]?|eusc)-/.test(v)
              ? `a commercial AWS region such as us-west-2 (${v} is in another partition, whose ARNs, endpoints and prices this program does not handle)`
              : `a commercial AWS region such as us-west-2${didYouMean(v, COMMERCIAL_REGIONS)}`,
    );
}
