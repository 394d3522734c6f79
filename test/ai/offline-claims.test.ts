import { checkClaimsByOverlap } from "../../src/infra/ai/offline/claims";

const passage = "Mitochondria are the powerhouse of the cell. They produce ATP through cellular respiration using oxygen. The French Revolution began in 1789.";

test("a claim is supported when its passages hold most of its content words and every number it states", () => {
  const { verdicts } = checkClaimsByOverlap({
    kind: "checkClaims",
    claims: [
      { text: "Mitochondria produce ATP using oxygen.", passages: [passage] },
      { text: "Mitochondria were first seen on Mars in 2050.", passages: [passage] },
      { text: "The French Revolution began in 1790.", passages: [passage] },
      { text: "The French Revolution began in 1789.", passages: [passage] },
      { text: "Mitochondria produce ATP.", passages: [] },
    ],
  });
  expect(verdicts).toEqual([
    { claim: 1, supported: true },
    { claim: 2, supported: false },
    { claim: 3, supported: false },
    { claim: 4, supported: true },
    { claim: 5, supported: false },
  ]);
});
