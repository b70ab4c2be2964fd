"""One typed settings object for the whole product, read from ``QA_*`` environment variables
(the only place they are read). ``Settings.load()`` turns a malformed value into one plain
``InputError`` line naming the variable.

The privacy switches of the libraries we use (``index.offline``) are set here, before any of them
is imported: nothing may call out (no telemetry, no hub look-ups).
"""

from __future__ import annotations

from index.offline import stay_offline

stay_offline()

from pathlib import Path  # noqa: E402
from typing import Literal, get_args  # noqa: E402

from pydantic import Field, SecretStr, ValidationError, field_validator  # noqa: E402
from pydantic_settings import BaseSettings, SettingsConfigDict  # noqa: E402

from index.embedding import DEFAULT_MODEL  # noqa: E402
from index.errors import InputError  # noqa: E402
from index.indexer import IndexConfig  # noqa: E402

Generator = Literal["extractive", "local", "openai"]
GENERATORS: tuple[str, ...] = get_args(Generator)


class Settings(BaseSettings):
    """Every knob, its meaning and its bounds. ``QA_HOME=/data/news qa ask ...`` and so on."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore", env_parse_none_str="null")

    home: Path = Field(Path(".qa"), description="Folder of the on-disk index (Chroma + caches).")
    chroma_url: str | None = Field(
        None, description="Use this Chroma server (http://host:port) instead of the on-disk index."
    )
    embedding_model: str = Field(
        DEFAULT_MODEL, description="Bundled model name or a local sentence-transformers folder."
    )
    embedding_bf16: bool = Field(True, description="Embed under bfloat16 autocast (2x on CPU).")
    embedding_backend: Literal["auto", "onnx-int8", "torch"] = Field(
        "auto",
        description="Runtime of the bundled MiniLM: int8 ONNX Runtime (made once, cached), or"
        " torch (bf16 per embedding_bf16); auto falls back to torch without ONNX Runtime.",
    )
    chunk_tokens: int = Field(200, ge=32, le=218, description="Word pieces per chunk (max).")
    chunk_overlap: int = Field(40, ge=0, le=100, description="Word pieces shared by neighbours.")
    top_k: int = Field(8, ge=1, le=50, description="Passages handed to the answer composer.")
    candidates: int = Field(40, ge=5, le=500, description="Hits taken from each retriever.")
    per_article: int = Field(2, ge=1, le=20, description="At most this many passages an article.")
    evidence_passages: int = Field(
        24,
        ge=1,
        le=200,
        description="Passages searched for evidence sentences (a wider pool than the top_k"
        " shown: a long article may hold the answer in its fifth passage, and a figure several"
        " articles give is found in each). Only sentences sharing a word with the question are"
        " embedded, so the pool costs little.",
    )
    evidence_per_article: int = Field(
        8, ge=1, le=50, description="At most this many of those passages from one article."
    )
    rrf_k: int = Field(60, ge=1, le=1000, description="Reciprocal-rank-fusion constant.")
    refusal_threshold: float = Field(
        0.42,
        ge=0.0,
        le=1.0,
        description="Best cheap evidence score (how much the articles are about the question)"
        " below which the answer is a refusal. Calibrated on the RealTime QA questions and both"
        " refusal sets: 0.42 gives 1 false refusal in 102 there (0.45: 7, 0.48: 8) for the same"
        " news refusals, and one seed refusal fewer than 0.45.",
    )
    rerank_candidates: int = Field(
        24,
        ge=0,
        le=100,
        description="Evidence sentences (the best by the cheap score, and of those only the ones"
        " rerank_min_share lets through) that the cross-encoder reads and orders; 0 turns it off."
        " The answering sentence of a question nobody tuned for often ranks well down the cheap"
        " order. Measured with `qa eval` (AVX-512 EPYC): at 8 / 12 / 16 with every candidate"
        " read (2026-12-04) the news and seeds gates were identical, eval/probe2_news.jsonl"
        " accuracy 0.60 / 0.65 / 0.65 and eval/probe3_news.jsonl 0.70 / 0.70 / 0.733 (24 and 32"
        " then each cost a gate figure). With rerank_min_share 0.5 (2026-12-05), 16 / 24 / 32 /"
        " 48: news accuracy 0.686 / 0.696 / 0.696 / 0.696, citation precision 0.629 / 0.634 /"
        " 0.644 / 0.644, probe2 news accuracy 0.65 / 0.675 / 0.675 / 0.675, strict 0.475 / 0.50"
        " / 0.50 / 0.50; refusals, seeds and the other probe sets unchanged. Cost of 24 over 16,"
        " in one process with warm caches: news median answer +16 ms, p95 +69 ms; seeds median"
        " +1 ms, p95 +35 ms (32: news +25 / +100 ms). AVX2-only CPUs read a pair about twice as"
        " slowly.",
    )
    rerank_min_share: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Of those candidates, the cross-encoder reads only the ones whose cheap score"
        " is at least this share of the best one's; 0 reads all of them. Measured 2026-12-05"
        " with `qa eval` (AVX-512 EPYC): 0.4 and 0.5 leave every news, seeds and probe answer's"
        " correctness, citations and refusals as they were at 0 (a second quoted sentence"
        " changed in 4 answers); 0.6 refuses a probe2 news question whose answer scores 0.5 to"
        " 0.6 of the best. Cost, in one process with warm caches, median answer at 0 / 0.5:"
        " seeds 139 / 89 ms, RealTime QA 168 / 148 ms (the seeds' small pool holds many"
        " sentences far below the best); `qa bench query` median 164.5 / 114.7 ms on the seeds"
        " and 308.7 / 267.6 ms on the 949 news articles.",
    )
    relevance_typed_weight: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="Cross-encoder logits added per unit of answer-type fit (a number for how"
        " many, a name for who) when ordering evidence. 1 and 2 tie on the RealTime QA"
        " questions; 1 keeps the seeds' best sentence as often as the cheap score did.",
    )
    antecedent_gain: float | None = Field(
        0.5,
        ge=0.0,
        le=20.0,
        description="Cross-encoder logits the best evidence sentence must gain when read after"
        " the sentence before it for that sentence to be quoted with it ('The show ... leads"
        " the nominations' after the sentence naming the show); unset (QA_ANTECEDENT_GAIN="
        "null) turns it off. One more cross-encoder pair per answer. Calibrated on the RealTime"
        " QA questions (only when the best sentence lacks the kind of thing asked for): 0.5"
        " and 0 give accuracy 0.637 against 0.608 without it, strict 0.333 against 0.324,"
        " refusals unchanged; 0.5 reads the pair for fewer answers.",
    )
    antecedent_echo_tolerance: float = Field(
        2.0,
        ge=0.0,
        le=20.0,
        description="When the best evidence sentence holds a fitting name but speaks of the"
        " thing a 'which' question asks for as 'the show' / 'the company', and the sentence"
        " before names something the question does not: cross-encoder logits the two read"
        " together may lose against the best alone for that sentence to be quoted with it."
        " Calibrated on the RealTime QA questions: 1 / 1.5 / 2.5 / 4 give accuracy 0.647 /"
        " 0.657 / 0.657 / 0.657 and strict 0.402 / 0.412 / 0.412 / 0.412 (the company named"
        " in the sentence before, read together 1.06 logits below the best alone); refusals"
        " and the seeds unchanged.",
    )
    evidence_similarity_weight: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Cheap evidence score: weight of a sentence's embedding cosine to the"
        " question. The cheap score picks the sentences the cross-encoder reads and is the"
        " refusal test (refusal_threshold is on its scale: change the weights, recalibrate it).",
    )
    evidence_overlap_weight: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Cheap evidence score: weight of the share of the question's words (weighted"
        " by rarity) that the sentence holds.",
    )
    evidence_type_weight: float = Field(
        0.15,
        ge=0.0,
        le=1.0,
        description="Cheap evidence score: weight of the answer-type fit (a figure for how many,"
        " a name for who, a date for when).",
    )
    evidence_rank_weight: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Cheap evidence score: weight of the sentence's passage rank.",
    )
    evidence_near_credit: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Share of a question word's weight credited when it is in the sentence"
        " before or after rather than in the sentence ('he said' after the sentence naming him).",
    )
    evidence_embedded_sentences: int = Field(
        40,
        ge=1,
        le=10_000,
        description="Cheap evidence score: at most this many sentences, those holding the most of"
        " the question's words, are embedded for their similarity; the rest score 0 on it."
        " Embedding evidence sentences is most of an answer's time on CPUs without int8"
        " dot-product instructions (AVX2 only).",
    )
    retrieval_recency_weight: float = Field(
        0.3,
        ge=0.0,
        le=10.0,
        description="When asked as of a day, a passage's fused rank score is multiplied by 1 +"
        " this times how recent its article was then (1 that day, about 0.5 a week before)."
        " On the RealTime QA questions 0.3 gives hit@1 0.520 and MRR 0.653, against 0.471 /"
        " 0.627 with 0.15 and 0.480 / 0.636 with 0.6, answer accuracy within one question.",
    )
    relevance_recency_weight: float = Field(
        3.0,
        ge=0.0,
        le=20.0,
        description="Cross-encoder logits added for an article from the day asked about (as_of,"
        " or the newest article for 'this week' and 'recently'), half that a week before, when"
        " ordering evidence (the cross-encoder reads no dates). Calibrated on the RealTime QA"
        " questions: first 2 (accuracy 0.539 and citation precision 0.522, against 0.520 / 0.512"
        " with 0 and 0.529 / 0.531 with 4); recalibrated 2026-12-03 on the later answer logic:"
        " accuracy 0.627 / 0.637 / 0.637 / 0.637 and precision 0.551 / 0.551 / 0.561 / 0.561"
        " with 1 / 2 / 3 / 5 (one more citation of the week's own story from 3 up). The seeds"
        " ask as of no day and did not move.",
    )
    relevance_title_weight: float = Field(
        2.5,
        ge=0.0,
        le=20.0,
        description="Cross-encoder logits added per share of the question's words (those that"
        " say what it is about) in the headline of the sentence's article, when ordering"
        " evidence: the story itself over a digest or a side mention. Calibrated on the"
        " RealTime QA questions: 0 / 1 / 2.5 / 4 / 6 give strict accuracy 0.333 / 0.343 /"
        " 0.353 / 0.363 / 0.363, citation precision 0.526 / 0.536 / 0.551 / 0.551 / 0.551 and"
        " accuracy 0.637 up to 4, 0.627 at 6; refusals unchanged.",
    )
    relevance_title_reading_weight: float = Field(
        0.0625,
        ge=0.0,
        le=5.0,
        description="Cross-encoder logits added, when ordering evidence, per logit it gives the"
        " question read with the headline of the sentence's article (one more short read per"
        " article among the evidence): word overlap misses a story whose headline words the"
        " question's differently, and a digest's headline shares a word or two with anything."
        " Calibrated on the RealTime QA questions: 0 / 0.0625 / 0.125 / 0.25 give strict"
        " accuracy 0.412 / 0.422 / 0.431 / 0.431, accuracy 0.657 / 0.657 / 0.647 / 0.647 and"
        " citation precision 0.596 / 0.606 / 0.600 / 0.600; refusal recall 0.711 up to 0.125,"
        " 0.689 at 0.25. Seeds and the two probe sets do not move at 0.0625.",
    )
    this_week_days: int = Field(
        7,
        ge=0,
        le=366,
        description="A question about 'this week' (or 'this weekend') looks for evidence among"
        " the articles published at most this many days before the day asked about (as_of, or"
        " the newest article) too, ranked among themselves, and is answered from those and"
        " undated ones only (a refusal when they are off its topic). 0: off. RealTime QA"
        " questions (46 of 102 say 'this week'): accuracy 0.667 -> 0.686, strict 0.431 ->"
        " 0.451, citation precision 0.601 -> 0.629, false refusals 0.029 (unchanged; one gained"
        " and one lost: a story scraped as an ad page leaves the week with no answer), the same"
        " at 7, 10 and 14 days; refusals, the probe sets and the seeds unchanged. Falling back"
        " to all articles when the week's sentences are off topic (a cheap score under the"
        " refusal threshold) answered that question from a 2017 recall instead.",
    )
    person_check: bool = Field(
        True,
        description="An answer to a person question ('who won', 'which minister') must name"
        " someone the question does not, read as a person's name by the embedding model (not"
        " a place or a team: 'Pine Valley', 'Harbor Sharks'); else it is a refusal. News suite:"
        " refusal recall 0.356 -> 0.511 (7 of 45 more refused), one answerable question of 102"
        " more refused (a singer named by one word), seeds unchanged.",
    )
    person_relevance: float | None = Field(
        3.0,
        ge=-20.0,
        le=20.0,
        description="Cross-encoder logit under which the best evidence sentence for a person"
        " question ('who won', 'which judge') does not answer it: a refusal; unset"
        " (QA_PERSON_RELEVANCE=null) turns it off. Calibrated on both suites: the answered"
        " person questions' best sentences read 5.2 and above (seeds) and 6.4 and above"
        " (RealTime QA), the near misses' 0.0, 1.1 and 2.9.",
    )
    same_noun_similarity: float = Field(
        0.7,
        ge=0.0,
        le=1.0,
        description="Embedding cosine above which two counted nouns count the same kind of thing"
        " (figures of 'troops' and 'soldiers' disagree; of 'soldiers' and 'civilians' do not;"
        " '100,000 soldiers' answers 'how many troops')."
        " MiniLM gives troop/soldier 0.75, home/house 0.78, vote/voter 0.73 against"
        " soldier/civilian 0.64, dollar/euro 0.62, troop/casualty 0.34. The same cosine tells"
        " whether a count tied to an act ('17 journalists have been arrested') counts the act"
        " asked about ('how many were killed'): arrested/detained 0.72, killed/died 0.76"
        " against arrested/charged 0.45, killed/injured 0.41, conscripted/detained 0.22.",
    )
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected.")
    max_sentences: int = Field(
        2,
        ge=1,
        le=10,
        description="Evidence sentences in an answer (a disagreement lists every figure): the"
        " answering sentence and at most one more, so the answer reads as one.",
    )
    answer_untyped_allowance: float = Field(
        0.05,
        ge=0.0,
        le=0.5,
        description="A question with no expected answer type ('what did X say') earns its"
        " sentences no answer-type credit, so its refusal threshold is this much lower."
        " Swept with qa eval on both suites (at the earlier 0.7 redundant overlap): 0 gives 7"
        " false refusals of 102 on the RealTime QA questions (0.05: 3, 0.10: 2, 0.15: 2) for"
        " the same news refusals, and the seed"
        " figures are the same from 0 to 0.10 (0.15 loses a seed answer). Kept at 0.05: the one"
        " question 0.10 answers is answered without naming the thing asked for, and two"
        " answers gain a weaker second sentence.",
    )
    answer_strong_share: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Evidence scoring at least this share of the best sentence's cheap score is"
        " strong: it may join the answer, and a number, date or person question whose strong"
        " evidence holds none is a refusal. Swept on both suites (at the earlier 0.7 redundant"
        " overlap): 0.7 costs a"
        " news refusal and a seed answer, 0.9 two seed answers (news accuracy 0.657 at 0.7 and"
        " 0.8, 0.667 at 0.9).",
    )
    answer_other_article_share: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="Another article's sentence joins the answer (stating the same answer, or"
        " the next of several things asked for) only at this share of the best score."
        " Swept (at the earlier 0.7 redundant overlap): news figures are the same at 0.8, 0.9"
        " and 1.0; seed citation"
        " precision 0.983 at 0.9, 0.978 at 1.0 (a second seed article no longer cited).",
    )
    answer_corroboration_share: float = Field(
        0.7,
        ge=0.0,
        le=1.0,
        description="Another article's sentence that gives the answer's own figure is cited"
        " beside it as a second source at this share of the best score (not one of the same"
        " outlet: a digest repeating the figure is no second source). Swept (at the earlier 0.7"
        " redundant overlap): both suites' figures are the same at 0.6, 0.7 and 0.8.",
    )
    answer_corroborations: int = Field(
        2,
        ge=0,
        le=10,
        description="At most this many second sources for an answer's figure. Swept (at the"
        " earlier 0.7 redundant overlap): with none, news"
        " strict accuracy is 0.402 against 0.392 (a poll's figure no longer cited from a second"
        " article):"
        " kept, as a second source is what a reader checks a figure by.",
    )
    answer_to_the_point: float = Field(
        1.0,
        ge=0.0,
        le=20.0,
        description="A question that sets a scene before it asks ('A ticket sold in Pine Valley"
        " won the jackpot. At which store was it sold?'), whose answering sentence reads no"
        " better to the cross-encoder with the question than with the scene alone (it retells"
        " the scene) and holds no fitting thing of the kind asked for, is answered with the"
        " most relevant of its article's sentences that read at least this many logits better"
        " with the question than with the scene (and at least answer_to_the_point_relevance"
        " with the question) as its second sentence. Measured against not doing so: no answer"
        " of the RealTime QA gate or the seeds changes; eval/probe_news.jsonl accuracy 0.911 ->"
        " 0.933 and strict 0.889 -> 0.911, eval/probe3_news.jsonl 0.667 -> 0.700 and 0.667 ->"
        " 0.700, nothing lost on any set; the same at 0.5 and 2. Quoting another article's"
        " sentence instead lost 3 strict answers on the gate.",
    )
    answer_to_the_point_relevance: float = Field(
        0.0,
        ge=-20.0,
        le=20.0,
        description="Cross-encoder logit a sentence needs, read with the question, to be"
        " quoted as the one that answers a question whose first sentence only retells its"
        " scene (see answer_to_the_point).",
    )
    answer_redundant_overlap: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="A sentence sharing more than this share of the words of the shorter of it"
        " and a sentence already chosen says nothing new and is not quoted (a second article's"
        " restatement of the first: 'Police in Idaho arrested 31 men ...'). Measured with qa"
        " eval on both suites: 0.7 -> 0.6 takes news strict accuracy 0.392 -> 0.402, citation"
        " precision 0.581 -> 0.586, token F1 0.0558 -> 0.0567, the seed figures unchanged; 0.5"
        " also drops the second half of answers to two-part questions.",
    )
    disagreement_pool_share: float = Field(
        0.7,
        ge=0.0,
        le=1.0,
        description="Sentences at this share of the best score are read for figures that may"
        " disagree. Swept (at the earlier 0.7 redundant overlap): both suites' figures are the"
        " same at 0.6 and 0.7; at 0.8 news"
        " citation precision falls 0.581 -> 0.576.",
    )
    disagreement_listed_share: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="A sentence is listed among disagreeing figures at this share of the best"
        " score, when its figure is comparable. Swept (at the earlier 0.7 redundant overlap):"
        " at 0.5 news citation precision falls 0.581 ->"
        " 0.579; at 0.7 the news figures stay and a seed list no longer quotes a second"
        " article (seed strict accuracy 0.860 -> 0.872): a change only the seeds measure, not"
        " made.",
    )
    disagreement_sentences: int = Field(
        6,
        ge=2,
        le=20,
        description="At most this many sentences in a list of disagreeing figures (swept at the"
        " earlier 0.7 redundant overlap: at 3, news citation precision falls 0.581 -> 0.577).",
    )
    disagreement_relevance_margin: float = Field(
        3.0,
        ge=0.0,
        description="Disagreeing figures are listed only from sentences the cross-encoder reads"
        " within this many logits of the best sentence it read (a like figure read far below"
        " answers another question: last year's count, the stations charging under $4.25 for"
        " the average price). Swept with qa eval on the lists"
        " (AVX-512 EPYC), unlimited / 5 / 4 / 3 / 2 / 1: of the 9 RealTime QA questions answered"
        " by a list, 6 / 6 / 7 / 7 / 6 / 6 right; 3 cites best (citation precision 0.6338 ->"
        " 0.6463) and refuses one wrong list (false refusals 0.0294 -> 0.0392); probe2 news gains"
        " two answers from 5 down and a refusal from 4 down; the seeds' lists keep every figure"
        " asked for down to 3 and cite only the articles asked about at 3.",
    )
    disagreement_magnitude: float = Field(
        4.0,
        ge=1.0,
        le=100.0,
        description="Figures of one kind are comparable within this factor of each other (800"
        " firefighters on standby are no count of the 5,000 at the fire). Swept at the earlier 0.7"
        " redundant overlap: at 2 news citation precision is"
        " 0.582, at 8 a news refusal is lost; seeds are the same at 2, 4 and 8.",
    )
    disagreement_update_days: int = Field(
        7,
        ge=0,
        le=366,
        description="For a number question, a figure from an article published more than this"
        " many days before the latest article giving a figure of the asked quantity is"
        " superseded when the evidence would list disagreeing figures: the list, or else the"
        " answer led by the latest report's sentence, comes from the reports of that week (a"
        " count in March and one in June are an update; 0: off). RealTime QA dev (as of"
        " 02be5a5): 0 / 3 / 7 / 14 / 30 days give strict accuracy 0.461 / 0.480 / 0.471 /"
        " 0.471 / 0.471 and citation precision 0.646 / 0.658 / 0.653 / 0.653 / 0.651, accuracy"
        " and refusals unchanged; 3 only drops a six-day-older second source that states the"
        " same figure. Seeds (undated) and the probe sets do not move.",
    )
    generator: Generator = Field(
        "extractive",
        description="Who words the answer: evidence sentences verbatim (default), the local GGUF"
        " model (the llm extra), or an OpenAI-compatible server. Citations are checked either way.",
    )
    llm_url: str | None = Field(
        None, description="OpenAI-compatible API base, e.g. http://127.0.0.1:11434/v1 (Ollama)."
    )
    llm_model: str | None = Field(None, description="Model name on that server.")
    llm_api_key: SecretStr | None = Field(None, description="API key, if the server wants one.")
    llm_timeout: float = Field(60.0, gt=0, le=600, description="Seconds to wait for the model.")
    llm_max_tokens: int = Field(160, ge=16, le=1024, description="Longest reply, in tokens.")
    llm_model_dir: Path | None = Field(
        None, description="Where the local model is assembled (default ~/.cache/news-qa/models)."
    )
    min_support: float = Field(
        0.45,
        ge=0.0,
        le=1.0,
        description="How well an evidence sentence must support a sentence of a language model's"
        " answer for it to be kept (half word overlap, half embedding similarity). Calibrated by"
        " `python -m eval.grounding_calibration` on a `qa eval --generator local` run of the"
        " seeds: at 0.35-0.45, 96.6% of the model's sentences that state a gold answer are kept"
        " and none of 290 same-topic mismatches passes; at 0.55, 87.9% are kept (the facts check"
        " rejects 93% of the mismatches by itself).",
    )
    auth: SecretStr | None = Field(
        None, description='"user:password": the web chat asks for this login (and MCP clients).'
    )
    concurrency: int = Field(
        4,
        ge=1,
        le=64,
        description="Questions the web chat answers at once (more wait in its queue). Measured"
        " with `qa bench serve` on 2 cores: see README.",
    )
    search_breadth: int = Field(
        400,
        ge=40,
        le=10_000,
        description="Candidates the vector index's graph explores when it is built and when it"
        " is searched (HNSW ef_construction and ef_search; Chroma's default is 100). At 100, 23"
        " of the 147 RealTime QA gate questions missed some of their 40 exact nearest chunks"
        " (9,969 chunks), and two builds of the same articles missed different ones; at 400"
        " none did, for 1.7 instead of 1.2 ms a search (45,000 random 384-d vectors, the hardest"
        " case for the graph: building it 33 -> 80 s beside ~9 min of embedding, a search 2.8"
        " -> 7.8 ms, on 2 busy cores). A built index keeps its build breadth"
        " until `qa index --rebuild`; its search breadth follows this setting when opened.",
    )
    lock_timeout: float = Field(
        10.0,
        ge=0.0,
        le=3600,
        description="Seconds to wait for another process holding the on-disk index.",
    )

    @field_validator("home")
    @classmethod
    def _a_folder(cls, home: Path) -> Path:
        if home.exists() and not home.is_dir():
            raise ValueError(f"{home} is a file, not a folder: point it at a folder for the index")
        return home

    @classmethod
    def load(cls, **values: object) -> Settings:
        """``Settings(**values)`` over the environment; a bad value is one ``InputError`` line
        ("QA_LOCK_TIMEOUT: Input should be a valid number ...")."""
        try:
            return cls(**values)  # type: ignore[arg-type]
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise InputError(
                f"QA_{field.upper()}: {first['msg']} (got {first.get('input')!r})"
            ) from exc

    def index_config(self, model_id: str) -> IndexConfig:
        return IndexConfig(model_id, self.chunk_tokens, self.chunk_overlap)
