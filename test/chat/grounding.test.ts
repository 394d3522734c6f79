import { ChatMessageChecksDocument } from "../generated/graphql";
import { ok, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { makeDocx } from "../uploads/fixtures";
import { uploadedAndSettled } from "../uploads/support";
import { ask, createSession, finished } from "./support";

/**
 * Grounding weighs the question's key terms by their rarity among the retrieved passages, and the
 * offline tutor quotes only the passage that answers, over the real server. Every section of the
 * manual below speaks of packages and apt-get, so those words say nothing about which one answers.
 */
const STRICT_REFUSAL = "I don't have that information in the provided context.";

const MANUAL = [
  { sub: "Installing packages", text: "To install a package, type apt-get install and the name of the package. apt-get fetches the package from the archive, with every package it depends on, and sets each package up." },
  { sub: "Upgrading packages", text: "The command apt-get upgrade replaces every installed package with its newest version from the archive. A package whose upgrade would remove another package is held back." },
  { sub: "Removing packages", text: "The command apt-get remove takes a package off the computer but keeps its configuration files. The command apt-get purge deletes the package together with its configuration files." },
  { sub: "Downloading only", text: "The -d option makes apt-get download the package files into the cache without unpacking any package." },
  { sub: "Cleaning the cache", text: "The command apt-get clean deletes the downloaded package files from the cache. The command apt-get autoclean deletes only the package files that the archive no longer offers." },
].map((section) => ({ heading: "Package tools", ...section }));

describe("grounding and the offline tutor's citations", () => {
  let world: CourseWorld;
  let owner: Session;
  let uploadId: string;

  beforeAll(async () => {
    world = await startCourseWorld();
    owner = await world.user();
    uploadId = (await uploadedAndSettled(world, owner.accessToken, "apt-manual.docx", await makeDocx(MANUAL))).id;
  });
  afterAll(() => world.server.stop());

  async function strictAnswer(question: string) {
    const sessionId = await createSession(world.gql, owner.accessToken, { mode: "STRICT", uploadIds: [uploadId] });
    const turn = await ask(world.gql, owner.accessToken, sessionId, question);
    await finished(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);
    return ok(await world.gql(ChatMessageChecksDocument, { id: sessionId }, { token: owner.accessToken })).chatSession!.messages.items[0];
  }

  test("a question the material covers is STRONG; the answer cites only the passage that answers, each quote the sentence its claim repeats", async () => {
    const answer = await strictAnswer("How do I upgrade an installed package with apt-get?");
    expect(answer.grounding).toBe("STRONG");
    expect(answer.claims.length).toBeGreaterThan(0);
    const cited = new Set(answer.claims.flatMap((claim) => claim.citations.map((citation) => citation.chunkIndex)));
    expect(cited.size).toBe(1);
    for (const claim of answer.claims) {
      expect(claim.supported).toBe(true);
      expect(claim.text).toContain(claim.citations[0].quote);
      expect(claim.citations[0].quote).toMatch(/upgrade/);
    }
  });

  test("STRICT refuses when the question's telling word is nowhere in the material, however many of its common words are", async () => {
    // Installed, package and apt-get are in the material; downgrade is not. Counted alike, three words of four would be STRONG.
    const answer = await strictAnswer("How do I downgrade an installed package with apt-get?");
    expect(answer).toMatchObject({ content: STRICT_REFUSAL, provider: null, claims: [] });
    expect(["WEAK", "NONE"]).toContain(answer.grounding);
    // Three plain words held, the unknown one counted three times: 4 of 7.
    expect(answer.groundingScore).toBeLessThan(0.75);
  });

  test("STRICT refuses when the best passage holds most of the question's words but only ones every section uses", async () => {
    // Install, package and apt-get are in "Installing packages", cache is elsewhere: three words of four, which coverage alone
    // scored 0.75 (STRONG). Package and apt-get are in every section and install in two, so they tell little of where an answer is.
    const answer = await strictAnswer("How do I install a package from the cache with apt-get?");
    expect(answer).toMatchObject({ content: STRICT_REFUSAL, provider: null, claims: [] });
    expect(answer.grounding).toBe("WEAK");
  });

  test("the offline tutor judges a passage with its section's heading, as grounding does: a heading can name what the text only shows", async () => {
    const sections = [
      { heading: "Package tools", sub: "Installing packages", text: "To install a package, type apt-get install and the name of the package." },
      { heading: "Package tools", sub: "Downgrading packages", text: "Name the older version after an equals sign, as in apt-get install hello=2.1, to put it in place of the newer one." },
    ];
    const upload = await uploadedAndSettled(world, owner.accessToken, "versions.docx", await makeDocx(sections));
    const sessionId = await createSession(world.gql, owner.accessToken, { mode: "STRICT", uploadIds: [upload.id] });
    const turn = await ask(world.gql, owner.accessToken, sessionId, "How do I downgrade a package?");
    await finished(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);
    const answer = ok(await world.gql(ChatMessageChecksDocument, { id: sessionId }, { token: owner.accessToken })).chatSession!.messages.items[0];
    expect(answer.grounding).toBe("STRONG");
    // The text of the answering passage never says "downgrade" or "package"; its heading does.
    expect(answer.claims.flatMap((claim) => claim.citations.map((citation) => citation.quote))).toEqual([sections[1].text]);
  });

  test("of passages holding all of the question's words, the offline tutor quotes the one where they stand together", async () => {
    const sections = [
      {
        heading: "Keeping a system tidy",
        sub: "Overview",
        text:
          "The cache of a package manager grows with every download. Old cache files take disk space. Others move the cache to another disk. " +
          "Some users keep old files for later. Logs grow too, and rotate weekly. " +
          "Configuration files stay after removal unless you purge the package. Purge is also the name of a removal that takes configuration with it.",
      },
      { heading: "Keeping a system tidy", sub: "Emptying", text: "To purge the cache, run apt-get clean as root. It deletes every downloaded file." },
    ];
    const upload = await uploadedAndSettled(world, owner.accessToken, "tidy.docx", await makeDocx(sections));
    const sessionId = await createSession(world.gql, owner.accessToken, { mode: "STRICT", uploadIds: [upload.id] });
    const turn = await ask(world.gql, owner.accessToken, sessionId, "How do I purge the cache?");
    await finished(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);
    const answer = ok(await world.gql(ChatMessageChecksDocument, { id: sessionId }, { token: owner.accessToken })).chatSession!.messages.items[0];
    expect(answer.claims.flatMap((claim) => claim.citations.map((citation) => citation.quote))).toContain("To purge the cache, run apt-get clean as root.");
    expect(new Set(answer.claims.flatMap((claim) => claim.citations.map((citation) => citation.chunkIndex))).size).toBe(1);
  });

  test("an exact term of two characters counts: -d is found and answered from its passage alone, a missing -z is refused", async () => {
    const found = await strictAnswer("What does the -d option of apt-get do?");
    expect(found.grounding).toBe("STRONG");
    expect(found.claims.map((claim) => claim.citations.map((citation) => citation.quote))).toEqual([
      ["The -d option makes apt-get download the package files into the cache without unpacking any package."],
    ]);

    const missing = await strictAnswer("What does the -z option of apt-get do?");
    expect(missing).toMatchObject({ content: STRICT_REFUSAL, claims: [] });
    expect(["WEAK", "NONE"]).toContain(missing.grounding);
  });
});
