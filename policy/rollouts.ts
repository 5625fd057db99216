import { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

// Argo Rollouts' objects, as the stack declares them (CustomResources, so plain JSON): a canary must
// be judged by an analysis, and an HPA that scales a Rollout scales the Deployment it takes its pods from.

const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const ANALYSIS_TEMPLATE = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";

const ofType = (args: StackValidationArgs, type: string) => args.resources.filter((r) => r.type === type);
const namespaceOf = (r: PolicyResource): string | undefined => r.props.metadata?.namespace;

/**
 * The Deployment an HPA's target scales, in the HPA's namespace: the Deployment it names, or the one
 * whose pod template the Rollout it names takes (workloadRef).
 */
export function scaledDeployment(args: StackValidationArgs, hpa: PolicyResource): string | undefined {
    const target = hpa.props.spec?.scaleTargetRef;
    if (target?.kind === "Deployment") return target.name;
    if (target?.kind !== "Rollout") return undefined;
    const rollout = ofType(args, ROLLOUT).find(
        (r) => r.props.metadata?.name === target.name && namespaceOf(r) === namespaceOf(hpa),
    );
    const ref = rollout?.props.spec?.workloadRef;
    return ref?.kind === "Deployment" ? ref.name : undefined;
}

export const canaryAnalysis: StackValidationPolicy = {
    name: "k8s-canary-with-analysis",
    description:
        "Every canary Rollout runs an analysis (background, or a step of its own) whose AnalysisTemplate the stack declares in its namespace, each metric with a success or failure condition: a canary no metric judges only delays a bad release.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const templates = ofType(args, ANALYSIS_TEMPLATE);
        for (const rollout of ofType(args, ROLLOUT)) {
            const canary = rollout.props.spec?.strategy?.canary;
            if (!canary) continue;
            const names: string[] = [
                ...(canary.analysis?.templates ?? []),
                // Stryker disable next-line ArrayDeclaration: steps with no analysis name no template either
                ...(canary.steps ?? []).flatMap(
                    (s: { analysis?: { templates?: object[] } }) => s.analysis?.templates ?? [],
                ),
            ].map((t: { templateName?: string }) => t.templateName ?? "");
            if (names.length === 0) {
                report(`Rollout ${rollout.name} is a canary with no analysis.`, rollout.urn);
                continue;
            }
            for (const name of names) {
                const template = templates.find(
                    (t) => t.props.metadata?.name === name && namespaceOf(t) === namespaceOf(rollout),
                );
                const metrics: { name: string; successCondition?: string; failureCondition?: string }[] =
                    // Stryker disable next-line ArrayDeclaration: a list whose items have no condition judges nothing either
                    template?.props.spec?.metrics ?? [];
                const judged = metrics.filter((m) => m.successCondition || m.failureCondition);
                if (!template || judged.length === 0)
                    report(
                        `Rollout ${rollout.name}'s analysis ${name} ${template ? "has no metric with a condition" : "is not an AnalysisTemplate of the stack in its namespace"}.`,
                        rollout.urn,
                    );
            }
        }
    },
};

export const rolloutPolicies = [canaryAnalysis];
