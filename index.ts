// Wiring only: read the config, deploy the target it names, export the stack outputs. Each target
// module is loaded only when chosen: the local target runs none of the EKS wiring and registers no
// AWS provider or resource, so it needs no AWS plugin.
import { loadConfig } from "./config";

export = async () => {
    // Invalid config throws here, listing every problem, before any resource is registered.
    const config = loadConfig();
    if (config.target === "local") {
        const { deployLocal }: typeof import("./targets/local") = require("./targets/local");
        return deployLocal(config);
    }
    const { deployEks }: typeof import("./targets/eks") = require("./targets/eks");
    return deployEks(config);
};
