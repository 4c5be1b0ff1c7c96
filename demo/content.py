"""Demo newsroom content for ``manage.py load_demo``: all written for this project.

Stories are fictional wire-style copy; any resemblance to a published article is
unintended. Times are hours before the moment the command first runs.
"""

SECTIONS = [
    # name, slug, description, colour (for the drawn lead images)
    ("North Korea", "north-korea", "News from and about the DPRK.", "#9b2226"),
    ("Diplomacy", "diplomacy", "Talks, treaties and envoys.", "#1d3557"),
    ("Politics", "politics", "Parliament, parties and the presidency.", "#5a189a"),
    ("World", "world", "News from beyond the peninsula.", "#2d6a4f"),
    ("Economy", "economy", "Markets, trade and households.", "#b08900"),
    ("Society", "society", "How people live, work and learn.", "#bc4b00"),
    ("Technology", "technology", "Chips, networks and science.", "#0a7c86"),
]

AUTHORS = [
    # name, slug, job title, short bio
    (
        "Choi Young Hoon",
        "choi-young-hoon",
        "Reporter",
        "Choi Young Hoon covers security and inter-Korean affairs from Seoul.",
    ),
    (
        "Eugene Park",
        "eugene-park",
        "Translator",
        "Eugene Park translates the newsroom's Korean reporting into English.",
    ),
    (
        "Han Ji-won",
        "han-ji-won",
        "Diplomatic correspondent",
        "Han Ji-won follows the foreign ministry and visiting delegations.",
    ),
    (
        "Lee Seo-yeon",
        "lee-seo-yeon",
        "Political reporter",
        "Lee Seo-yeon reports on the National Assembly and party politics.",
    ),
    (
        "Kim Tae-ho",
        "kim-tae-ho",
        "Economics reporter",
        "Kim Tae-ho writes about trade, prices and the central bank.",
    ),
    (
        "Park Min-jung",
        "park-min-jung",
        "World news editor",
        "Park Min-jung edits the world desk and writes on Asia-Pacific affairs.",
    ),
    (
        "Jung Da-eun",
        "jung-da-eun",
        "Technology reporter",
        "Jung Da-eun covers semiconductors, telecoms and research.",
    ),
    (
        "Yoon Sung-min",
        "yoon-sung-min",
        "Society reporter",
        "Yoon Sung-min writes about education, health and city life.",
    ),
    (
        "Kang Hye-rim",
        "kang-hye-rim",
        "Photographer",
        "Kang Hye-rim photographs news and people across the country.",
    ),
    (
        "Oh Jae-kyung",
        "oh-jae-kyung",
        "Senior editor",
        "Oh Jae-kyung edits the national desk and writes analysis.",
    ),
]

LEAD_SLUG = "south-korea-and-us-discuss-north-korea-russia-arms-trade"


def _story(
    slug, headline, dek, section, hours_ago, bylines, tags, *paragraphs, **extra
):
    return {
        "slug": slug,
        "headline": headline,
        "dek": dek,
        "section": section,
        "hours_ago": hours_ago,
        "bylines": bylines,
        "tags": tags,
        "paragraphs": paragraphs,
        "status": extra.get("status", "published"),
        "is_top_story": extra.get("is_top_story", False),
    }


CHOI = "choi-young-hoon"
PARK = "eugene-park"
HAN = "han-ji-won"
LEE = "lee-seo-yeon"
KIM = "kim-tae-ho"
MIN = "park-min-jung"
JUNG = "jung-da-eun"
YOON = "yoon-sung-min"
KANG = "kang-hye-rim"
OH = "oh-jae-kyung"

STORIES = [
    _story(
        LEAD_SLUG,
        "South Korea and U.S. Discuss North Korea-Russia Arms Trade, "
        "Emphasize Global Security Impact",
        "Seoul's national security chief and the U.S. Secretary of State agreed "
        "that weapons moving between Pyongyang and Moscow endanger more than the "
        "Korean Peninsula.",
        "diplomacy",
        1,
        [(CHOI, "by"), (PARK, "translated")],
        ["North Korea", "Russia", "US-ROK", "Ukraine", "Middle East"],
        "South Korea's national security adviser and the U.S. Secretary of State "
        "met in Seoul on Tuesday and agreed that the arms trade between North Korea "
        "and Russia has become a threat that reaches far beyond the Korean "
        "Peninsula.",
        "The two officials spent about an hour at the presidential office "
        "comparing what each government knows about shipments of artillery shells "
        "and ballistic missiles from the North to Russian forces, according to a "
        "statement released after the meeting.",
        "Both sides said the transfers were helping to prolong the war in Ukraine "
        "and warned that the technology and money flowing back to Pyongyang could "
        "speed up its own weapons programmes.",
        "The national security adviser told reporters that the partnership between "
        "Moscow and Pyongyang was no longer a regional question. Instability in one "
        "theatre, he said, now feeds instability in another, from Europe to the "
        "Middle East.",
        "The Secretary of State, on his first visit to Seoul this year, said "
        "Washington would keep working with allies to expose the networks that "
        "move weapons, fuel and cash between the two countries, and to close the "
        "gaps they exploit.",
        "Officials from both governments discussed tightening the enforcement of "
        "existing United Nations sanctions and sharing shipping and satellite "
        "information more quickly, a senior South Korean official said on "
        "condition of anonymity.",
        "The meeting also touched on the alliance's joint exercises planned for "
        "the coming months and on ways to keep lines of communication open with "
        "China, which both sides described as having influence over Pyongyang.",
        "North Korea has denied supplying weapons to Russia, and Moscow has "
        "rejected the accusations as hostile propaganda. Neither government "
        "commented on the Seoul meeting on Tuesday.",
        "The two officials agreed to meet again before the end of the year and to "
        "hold a working-level consultation on the arms trade within weeks, the "
        "statement said.",
        is_top_story=True,
    ),
    _story(
        "north-korea-fires-short-range-missiles-into-east-sea",
        "North Korea Fires Short-Range Ballistic Missiles Into East Sea",
        "The launches were the first in a month and came as allied drills began.",
        "north-korea",
        9,
        [(CHOI, "by"), (PARK, "translated")],
        ["North Korea", "Missiles", "북한"],
        "North Korea fired several short-range ballistic missiles into the waters "
        "off its east coast on Wednesday morning, the Joint Chiefs of Staff said.",
        "The missiles flew roughly 350 kilometres before falling into the sea, "
        "military officials said, adding that they were analysing the flight data "
        "with their American counterparts.",
        "The launches coincided with the start of a week of combined exercises "
        "that Pyongyang routinely describes as rehearsals for an invasion.",
        is_top_story=True,
    ),
    _story(
        "foreign-ministers-of-korea-and-japan-meet-in-tokyo",
        "Foreign Ministers of Korea and Japan Meet in Tokyo on Supply Chains",
        "The two ministers pledged closer coordination on critical minerals.",
        "diplomacy",
        20,
        [(HAN, "by")],
        ["Japan", "Trade", "Supply chains"],
        "The foreign ministers of South Korea and Japan agreed in Tokyo on "
        "Thursday to coordinate their stockpiles of critical minerals and to warn "
        "each other earlier about export curbs.",
        "The talks were the third between the two ministers this year, a pace "
        "officials on both sides described as a sign of steadier relations.",
        "The ministers also discussed visa rules for students and a planned "
        "youth exchange programme.",
    ),
    _story(
        "assembly-passes-revised-budget-after-late-night-session",
        "Assembly Passes Revised Budget After Late-Night Session",
        "Lawmakers approved a smaller supplementary budget than the government had "
        "asked for.",
        "politics",
        28,
        [(LEE, "by")],
        ["National Assembly", "Budget"],
        "The National Assembly passed a revised supplementary budget shortly "
        "after midnight on Friday, ending a week of negotiations between the "
        "ruling and opposition parties.",
        "The final package trims spending on regional infrastructure and adds "
        "funds for small business loans and childcare support.",
        "The finance ministry said it would begin releasing the money next month.",
    ),
    _story(
        "exports-rise-for-fifth-straight-month-on-chip-demand",
        "Exports Rise for Fifth Straight Month on Chip Demand",
        "Semiconductor shipments led the gain while car exports slipped.",
        "economy",
        33,
        [(KIM, "by")],
        ["Exports", "Semiconductors", "Trade"],
        "South Korea's exports rose for a fifth consecutive month in the period "
        "to the end of last month, driven by strong overseas demand for memory "
        "chips, trade ministry data showed.",
        "Semiconductor shipments grew by more than a fifth from a year earlier, "
        "while exports of cars and car parts fell slightly.",
        "Imports declined as energy prices eased, leaving the country with its "
        "largest monthly trade surplus in two years.",
        is_top_story=True,
    ),
    _story(
        "un-panel-reports-new-sanctions-evasion-at-sea",
        "U.N. Panel Reports New Sanctions Evasion at Sea",
        "Ship-to-ship transfers of oil continued despite tighter monitoring, "
        "investigators said.",
        "north-korea",
        41,
        [(CHOI, "by"), (PARK, "translated")],
        ["North Korea", "Sanctions", "United Nations"],
        "Investigators working for a United Nations committee said North Korea "
        "continued to import refined oil through ship-to-ship transfers, in a "
        "report seen by this newsroom.",
        "The report describes vessels switching off their tracking transponders "
        "and changing names and flags to avoid detection.",
        "Diplomats said the findings would be discussed at a closed meeting of "
        "the committee next week.",
    ),
    _story(
        "central-bank-holds-rate-steady-signals-patience",
        "Central Bank Holds Rate Steady, Signals Patience",
        "The governor said inflation was easing but household debt remained a concern.",
        "economy",
        52,
        [(KIM, "by")],
        ["Interest rates", "Inflation", "Bank of Korea"],
        "The Bank of Korea kept its benchmark interest rate unchanged on "
        "Thursday, as expected by most economists.",
        "The governor told a news conference that inflation was moving towards "
        "the bank's target but that rising household borrowing argued against "
        "cutting rates too soon.",
        "Two members of the monetary policy board said they saw room for a cut "
        "within three months.",
    ),
    _story(
        "president-names-new-unification-minister",
        "President Names New Unification Minister",
        "The nominee, a former diplomat, faces a confirmation hearing next month.",
        "politics",
        60,
        [(LEE, "by"), (OH, "edited")],
        ["Unification", "Cabinet", "North Korea"],
        "The president nominated a former ambassador as unification minister on "
        "Monday, part of a small cabinet reshuffle.",
        "The nominee said in a brief statement that he would seek ways to reopen "
        "dialogue with the North while keeping up pressure on its weapons "
        "programmes.",
        "Opposition lawmakers said they would question him closely on his past "
        "statements about humanitarian aid.",
    ),
    _story(
        "eu-and-seoul-launch-talks-on-digital-trade",
        "EU and Seoul Launch Talks on Digital Trade Rules",
        "Negotiators aim to settle rules on data flows and online consumer rights.",
        "world",
        70,
        [(MIN, "by")],
        ["European Union", "Trade", "Digital economy"],
        "The European Union and South Korea opened negotiations on a digital "
        "trade agreement in Brussels on Tuesday.",
        "Officials said the talks would cover cross-border data transfers, "
        "electronic signatures and protections for online shoppers.",
        "Both sides hope to conclude an agreement within a year.",
    ),
    _story(
        "chipmakers-plan-new-research-cluster-south-of-seoul",
        "Chipmakers Plan New Research Cluster South of Seoul",
        "Three companies and two universities will share test lines and equipment.",
        "technology",
        80,
        [(JUNG, "by")],
        ["Semiconductors", "Research"],
        "Three chipmakers and two universities announced plans on Wednesday for a "
        "shared research campus south of Seoul.",
        "The partners said the site would house pilot production lines that "
        "start-ups could rent by the week.",
        "Local officials expect construction to begin next spring.",
    ),
    _story(
        "seoul-subway-extends-late-night-service-on-weekends",
        "Seoul Subway Extends Late-Night Service on Weekends",
        "Trains on four lines will run an hour later on Fridays and Saturdays.",
        "society",
        86,
        [(YOON, "by"), (KANG, "photos")],
        ["Seoul", "Transport"],
        "Seoul's subway operator said trains on four of its busiest lines would "
        "run until 2 a.m. on Fridays and Saturdays from next month.",
        "The city said the change follows a survey in which most respondents "
        "asked for later trains rather than more night buses.",
        "The trial will run for six months before a decision on making it permanent.",
    ),
    _story(
        "north-korea-opens-new-greenhouse-farm-state-media-says",
        "North Korea Opens New Greenhouse Farm, State Media Says",
        "Leader Kim Jong Un attended the ceremony, according to official media.",
        "north-korea",
        95,
        [(CHOI, "by"), (PARK, "translated")],
        ["North Korea", "Agriculture"],
        "North Korea held a ceremony to open a large greenhouse farm near its "
        "east coast, state media reported on Saturday.",
        "The reports described the farm as a step towards year-round vegetable "
        "supply for the region's cities.",
        "Analysts in Seoul said the project reflected continuing food shortages "
        "that the authorities rarely acknowledge directly.",
    ),
    _story(
        "us-envoy-arrives-for-talks-on-defence-cost-sharing",
        "U.S. Envoy Arrives for Talks on Defence Cost Sharing",
        "The two allies are negotiating how to split the cost of stationing "
        "American troops.",
        "diplomacy",
        104,
        [(HAN, "by")],
        ["US-ROK", "Defence"],
        "A U.S. negotiator arrived in Seoul on Sunday for two days of talks on "
        "sharing the cost of American troops stationed in South Korea.",
        "Officials on both sides said they expected the talks to focus on "
        "construction projects and logistics rather than headline figures.",
        "The current agreement expires at the end of next year.",
    ),
    _story(
        "opposition-party-elects-new-floor-leader",
        "Opposition Party Elects New Floor Leader",
        "The three-term lawmaker promised a tougher line on the budget.",
        "politics",
        115,
        [(LEE, "by")],
        ["National Assembly", "Opposition"],
        "The main opposition party elected a three-term lawmaker as its floor "
        "leader on Wednesday in a vote of its members of parliament.",
        "In a short acceptance speech, the new leader said the party would "
        "scrutinise every line of the government's spending plans.",
        "She replaces a colleague who stepped down to run for a party office.",
    ),
    _story(
        "consumer-prices-rise-at-slowest-pace-in-three-years",
        "Consumer Prices Rise at Slowest Pace in Three Years",
        "Cheaper fuel offset higher prices for fruit and eating out.",
        "economy",
        124,
        [(KIM, "by")],
        ["Inflation", "Households"],
        "Consumer prices rose at their slowest annual pace in three years last "
        "month, statistics office data showed on Tuesday.",
        "Falling petrol prices pulled the headline figure down, while the cost "
        "of fruit and restaurant meals continued to climb.",
        "Economists said the figures strengthened the case for lower interest "
        "rates later in the year.",
    ),
    _story(
        "japan-and-philippines-sign-defence-access-agreement",
        "Japan and the Philippines Sign Defence Access Agreement",
        "The pact lets each country's forces train on the other's territory.",
        "world",
        131,
        [(MIN, "by")],
        ["Japan", "Philippines", "Defence"],
        "Japan and the Philippines signed an agreement on Monday allowing their "
        "troops to train in each other's countries.",
        "Officials said the deal would make joint disaster relief exercises "
        "easier to organise.",
        "The agreement must still be ratified by both parliaments.",
    ),
    _story(
        "telecoms-regulator-approves-6g-test-spectrum",
        "Telecoms Regulator Approves Test Spectrum for 6G Research",
        "Operators and labs may use the frequencies for trials until 2030.",
        "technology",
        140,
        [(JUNG, "by")],
        ["Telecoms", "6G", "Research"],
        "The science ministry approved the use of new radio frequencies for "
        "sixth-generation mobile network trials on Thursday.",
        "Mobile operators and university laboratories will be able to apply for "
        "test licences from next month.",
        "The ministry said it wanted early trials to help shape international "
        "standards.",
    ),
    _story(
        "university-entrance-exam-draws-fewer-applicants",
        "University Entrance Exam Draws Fewer Applicants",
        "The falling number reflects the country's shrinking school-age population.",
        "society",
        150,
        [(YOON, "by")],
        ["Education", "Demographics"],
        "Fewer students registered for this year's national university entrance "
        "exam than last year, the education ministry said.",
        "Officials attributed the decline to the low birth rate, which has "
        "reduced the number of school leavers every year for a decade.",
        "Universities outside the capital say they are struggling to fill places.",
    ),
    _story(
        "defectors-group-says-border-crossings-remain-rare",
        "Defectors' Group Says Border Crossings Remain Rare",
        "Only a small number of North Koreans reached the South this year.",
        "north-korea",
        160,
        [(CHOI, "by"), (PARK, "translated")],
        ["North Korea", "Defectors", "Human rights"],
        "The number of North Koreans arriving in the South remains far below "
        "levels seen a decade ago, a support group for defectors said on Friday.",
        "The group said tighter border controls on both sides of the China "
        "border made the journey longer, costlier and more dangerous.",
        "Most recent arrivals had left the North years earlier, it said.",
    ),
    _story(
        "asean-ministers-call-for-calm-in-south-china-sea",
        "ASEAN Ministers Call for Calm in South China Sea",
        "A joint statement urged restraint after a series of maritime incidents.",
        "world",
        170,
        [(MIN, "by"), (HAN, "reporting")],
        ["ASEAN", "South China Sea"],
        "Foreign ministers from Southeast Asian nations called for restraint at "
        "sea in a joint statement issued after their meeting on Saturday.",
        "The statement expressed concern about recent collisions between coast "
        "guard vessels, without naming any country.",
        "Talks on a code of conduct for the waters are due to resume next month.",
    ),
    _story(
        "korea-and-poland-expand-defence-industry-partnership",
        "Korea and Poland Expand Defence Industry Partnership",
        "The agreement covers joint production and maintenance in Poland.",
        "diplomacy",
        180,
        [(HAN, "by")],
        ["Poland", "Defence industry", "Europe"],
        "South Korea and Poland signed a framework on Thursday to build and "
        "service more military equipment in Polish factories.",
        "Officials said the arrangement would create jobs in both countries and "
        "shorten delivery times.",
        "The deal follows several large purchases by Poland since 2022.",
    ),
    _story(
        "housing-transactions-pick-up-in-greater-seoul",
        "Housing Transactions Pick Up in Greater Seoul",
        "Apartment sales rose for a third month as mortgage rates eased.",
        "economy",
        190,
        [(KIM, "by")],
        ["Housing", "Households"],
        "Apartment sales in Seoul and its surrounding province rose for a third "
        "straight month, property ministry figures showed.",
        "Real estate agents said lower mortgage rates had brought first-time "
        "buyers back to the market.",
        "Officials said they were watching prices closely for signs of overheating.",
    ),
    _story(
        "local-elections-campaign-rules-tightened",
        "Election Commission Tightens Rules on Online Campaign Ads",
        "Candidates must label videos that were made or altered with AI tools.",
        "politics",
        200,
        [(LEE, "by")],
        ["Elections", "Artificial intelligence"],
        "The National Election Commission said on Monday that candidates in next "
        "year's local elections must clearly label campaign videos made or "
        "altered with artificial intelligence.",
        "Violations may lead to fines and removal of the material, the "
        "commission said.",
        "Civic groups welcomed the rule but asked for clearer guidance for "
        "ordinary voters who share such videos.",
    ),
    _story(
        "pyongyang-marathon-to-welcome-foreign-runners",
        "Pyongyang Marathon to Welcome Foreign Amateur Runners Again",
        "Travel agencies said places sold out within days.",
        "north-korea",
        210,
        [(CHOI, "by"), (PARK, "translated")],
        ["North Korea", "Tourism", "Sport"],
        "North Korea will allow foreign amateur runners to take part in its "
        "annual Pyongyang marathon, travel agencies that organise trips to the "
        "country said.",
        "The race had been closed to most foreigners since the country sealed "
        "its borders in early 2020.",
        "Agencies said participants would follow strict itineraries set by their "
        "guides.",
    ),
    _story(
        "battery-makers-expand-recycling-plants",
        "Battery Makers Expand Recycling Plants",
        "Recovered lithium and nickel will feed new production lines.",
        "technology",
        220,
        [(JUNG, "by")],
        ["Batteries", "Recycling", "Supply chains"],
        "Two of the country's largest battery makers said they would double the "
        "capacity of their recycling plants by the end of next year.",
        "The companies aim to recover more lithium, nickel and cobalt from used "
        "batteries and factory scrap.",
        "Analysts said recycling would help reduce reliance on imported minerals.",
    ),
    _story(
        "hospitals-report-shorter-emergency-waits",
        "Hospitals Report Shorter Emergency Room Waits",
        "A new triage system moved patients with minor injuries to local clinics.",
        "society",
        230,
        [(YOON, "by"), (KANG, "photos")],
        ["Health", "Hospitals"],
        "Waiting times at emergency rooms in large hospitals fell by about a "
        "quarter after a new triage system was introduced, the health ministry "
        "said.",
        "Patients with minor injuries are now directed to nearby clinics that "
        "stay open late.",
        "Doctors' groups said staffing shortages remained a serious problem.",
    ),
    _story(
        "g7-statement-condemns-missile-transfers",
        "G7 Statement Condemns Missile Transfers to Russia",
        "Ministers named North Korea and called for full sanctions enforcement.",
        "world",
        240,
        [(MIN, "by")],
        ["G7", "Russia", "North Korea", "Ukraine"],
        "Foreign ministers of the Group of Seven condemned the transfer of "
        "ballistic missiles from North Korea to Russia in a statement on "
        "Wednesday.",
        "The ministers called on all countries to enforce existing sanctions and "
        "to stop any support for Moscow's war effort.",
        "Seoul welcomed the statement and said it would keep working with the "
        "group's members.",
    ),
    _story(
        "korea-china-agree-to-resume-high-level-economic-dialogue",
        "Korea and China Agree to Resume High-Level Economic Dialogue",
        "The talks, paused for several years, will be held in Beijing.",
        "diplomacy",
        252,
        [(HAN, "by")],
        ["China", "Trade"],
        "South Korea and China agreed to resume a high-level economic dialogue "
        "that has not met for several years, Seoul's foreign ministry said.",
        "The talks will cover export controls, investment and cooperation on "
        "fine dust pollution.",
        "A date for the first session has not been set.",
    ),
    _story(
        "won-strengthens-as-foreign-investors-buy-stocks",
        "Won Strengthens as Foreign Investors Buy Local Stocks",
        "The currency reached its strongest level against the dollar in months.",
        "economy",
        262,
        [(KIM, "by")],
        ["Currency", "Markets"],
        "The won rose to its strongest level against the U.S. dollar in four "
        "months on Friday as foreign investors bought local shares.",
        "Traders said expectations of lower American interest rates had "
        "encouraged flows into Asian markets.",
        "The main stock index closed at a three-month high.",
    ),
    _story(
        "parliament-committee-approves-ai-basic-act-amendment",
        "Committee Approves Amendment to AI Basic Act",
        "The change delays some obligations for small companies by a year.",
        "politics",
        275,
        [(LEE, "by"), (JUNG, "reporting")],
        ["Artificial intelligence", "National Assembly"],
        "A parliamentary committee approved an amendment to the country's "
        "artificial intelligence law on Tuesday.",
        "The change gives small and medium-sized companies an extra year to meet "
        "some transparency requirements.",
        "The full assembly is expected to vote on it next week.",
    ),
    _story(
        "north-korea-party-meeting-reviews-economic-plan",
        "North Korea's Ruling Party Reviews Five-Year Economic Plan",
        "State media said officials were criticised for missing targets.",
        "north-korea",
        288,
        [(CHOI, "by"), (PARK, "translated")],
        ["North Korea", "Economy", "Workers' Party"],
        "North Korea's ruling Workers' Party held a meeting to review progress on "
        "its five-year economic plan, state media reported on Sunday.",
        "The reports said some officials were criticised for failing to meet "
        "production targets in the chemical and light industries.",
        "The meeting also discussed preparations for next year's harvest.",
    ),
    _story(
        "weather-agency-warns-of-early-cold-snap",
        "Weather Agency Warns of Early Cold Snap",
        "Temperatures in the capital may fall below freezing this weekend.",
        "society",
        300,
        [(YOON, "by")],
        ["Weather", "Seoul"],
        "The weather agency warned on Thursday that an early cold snap would "
        "bring sub-zero temperatures to much of the country this weekend.",
        "Officials urged farmers to protect late crops and asked residents to "
        "check on elderly neighbours.",
        "Temperatures are expected to return to seasonal levels next week.",
    ),
    _story(
        "indonesia-election-results-certified",
        "Indonesia's Regional Election Results Certified",
        "The election commission rejected complaints of irregularities.",
        "world",
        315,
        [(MIN, "by")],
        ["Indonesia", "Elections"],
        "Indonesia's election commission certified the results of regional "
        "elections on Monday after reviewing complaints from several "
        "candidates.",
        "The commission said it found no irregularities large enough to change "
        "any outcome.",
        "Losing candidates have a week to appeal to the constitutional court.",
    ),
    _story(
        "startup-unveils-low-power-ai-chip",
        "Seoul Start-Up Unveils Low-Power AI Chip for Phones",
        "The company says the chip runs translation models without a network.",
        "technology",
        330,
        [(JUNG, "by")],
        ["Semiconductors", "Artificial intelligence"],
        "A Seoul start-up unveiled a processor on Tuesday that it says can run "
        "translation and speech models on a phone without a network connection.",
        "The company said samples would reach handset makers early next year.",
        "It raised new funding from domestic investors last month.",
    ),
    _story(
        "trilateral-coastguard-exercise-held-off-jeju",
        "Korea, Japan and U.S. Coast Guards Hold Search-and-Rescue Drill",
        "The exercise off Jeju Island practised rescuing a stricken ferry.",
        "diplomacy",
        345,
        [(HAN, "by"), (KANG, "photos")],
        ["US-ROK", "Japan", "Maritime"],
        "Coast guards from South Korea, Japan and the United States held a "
        "joint search-and-rescue exercise in waters south of Jeju Island on "
        "Friday.",
        "Crews practised evacuating passengers from a ferry and treating the "
        "injured at sea.",
        "Officials said the drill would become an annual event.",
    ),
    _story(
        "small-businesses-get-energy-bill-relief",
        "Small Businesses Get Energy Bill Relief This Winter",
        "The government will cap increases for shops and restaurants.",
        "economy",
        360,
        [(KIM, "by")],
        ["Energy", "Small business"],
        "The government said on Wednesday it would limit winter electricity and "
        "gas price increases for small shops and restaurants.",
        "About a million businesses are expected to qualify.",
        "The measure will be funded from the revised budget passed last month.",
    ),
    _story(
        "library-opens-24-hour-reading-room",
        "City Library Opens Round-the-Clock Reading Room",
        "Students and shift workers are the main users, staff say.",
        "society",
        380,
        [(YOON, "by")],
        ["Education", "Seoul"],
        "A public library in central Seoul opened a reading room that stays open "
        "24 hours a day, the city said.",
        "Staff said students preparing for exams and night-shift workers had "
        "asked for the service for years.",
        "Security guards and volunteers staff the room overnight.",
    ),
    _story(
        "ruling-party-unveils-pension-reform-proposal",
        "Ruling Party Unveils Pension Reform Proposal",
        "The plan raises contributions gradually over ten years.",
        "politics",
        400,
        [(LEE, "by"), (OH, "edited")],
        ["Pensions", "National Assembly"],
        "The ruling party unveiled a proposal on Monday to reform the national "
        "pension system by raising contributions gradually over a decade.",
        "Party officials said the plan would keep the fund solvent for at least "
        "another thirty years.",
        "The opposition said it would present its own plan next week.",
    ),
    _story(
        "analysis-what-the-arms-trade-means-for-the-peninsula",
        "Analysis: What the Arms Trade Means for the Peninsula",
        "Closer ties with Moscow give Pyongyang money, fuel and perhaps technology.",
        "north-korea",
        420,
        [(OH, "by")],
        ["North Korea", "Russia", "Analysis"],
        "The growing trade in weapons between North Korea and Russia has changed "
        "the calculations of every government in the region.",
        "For Pyongyang, the deals bring hard currency, fuel and food, and "
        "possibly help with satellites and submarines.",
        "For Seoul and its allies, the question is how to respond without "
        "closing the door to talks.",
    ),
    _story(
        "marine-heatwaves-hit-fish-farms",
        "Marine Heatwaves Hit Southern Fish Farms",
        "Farmers lost stock as water temperatures stayed high for weeks.",
        "world",
        440,
        [(MIN, "by"), (KANG, "photos")],
        ["Climate", "Fisheries"],
        "Fish farms along the southern coast reported heavy losses after "
        "unusually warm water persisted for most of the summer.",
        "Local governments said they would help farmers move cages to cooler, "
        "deeper water.",
        "Scientists said such heatwaves were becoming more frequent.",
    ),
    _story(
        "embargoed-interview-with-the-unification-minister",
        "Interview: The Unification Minister on Dialogue With the North",
        "A conversation about humanitarian aid and family reunions.",
        "politics",
        0,
        [(LEE, "by")],
        ["Unification", "Interview"],
        "This interview is scheduled to be published tomorrow morning.",
        "The minister discussed humanitarian aid, separated families and the "
        "prospects for talks.",
        status="scheduled",
    ),
    _story(
        "draft-election-explainer",
        "Explainer: How Next Year's Local Elections Work",
        "Draft: numbers to be checked.",
        "politics",
        0,
        [(LEE, "by")],
        ["Elections", "Explainer"],
        "Voters will choose mayors, governors and local councillors.",
        status="draft",
    ),
    _story(
        "draft-chip-tariffs-analysis",
        "Draft: What New Chip Tariffs Could Mean for Exporters",
        "Working notes for the economy desk.",
        "economy",
        0,
        [(KIM, "by")],
        ["Semiconductors", "Trade"],
        "Notes to be expanded before publication.",
        status="draft",
    ),
]


# Lead pictures: which scene ``demo.pictures`` draws for each story (the
# section's scene for any story not listed), with an option after a colon.
SECTION_SCENES = {
    "north-korea": "map",
    "diplomacy": "podium",
    "politics": "press",
    "world": "map",
    "economy": "skyline",
    "society": "skyline",
    "technology": "wafer",
}
SCENES = {
    LEAD_SLUG: "podium:2",
    "foreign-ministers-of-korea-and-japan-meet-in-tokyo": "podium:2",
    "us-envoy-arrives-for-talks-on-defence-cost-sharing": "podium:2",
    "exports-rise-for-fifth-straight-month-on-chip-demand": "harbour:port",
    "central-bank-holds-rate-steady-signals-patience": "press",
    "eu-and-seoul-launch-talks-on-digital-trade": "press",
    "seoul-subway-extends-late-night-service-on-weekends": "platform",
    "north-korea-opens-new-greenhouse-farm-state-media-says": "greenhouses",
    "telecoms-regulator-approves-6g-test-spectrum": "skyline",
    "korea-and-poland-expand-defence-industry-partnership": "harbour:port",
    "pyongyang-marathon-to-welcome-foreign-runners": "skyline",
    "battery-makers-expand-recycling-plants": "harbour:port",
    "g7-statement-condemns-missile-transfers": "podium:7",
    "korea-china-agree-to-resume-high-level-economic-dialogue": "press",
    "north-korea-party-meeting-reviews-economic-plan": "press",
    "trilateral-coastguard-exercise-held-off-jeju": "harbour:bay",
    "marine-heatwaves-hit-fish-farms": "harbour:bay",
    "small-businesses-get-energy-bill-relief": "skyline",
    "president-names-new-unification-minister": "podium",
}

# Reader comments, in our own words. A thread is (minutes after the story was
# published, display name, text, [replies, as threads]); replies nest up to
# three deep. Approved, except those in HELD_COMMENTS.

COMMENTS = {
    LEAD_SLUG: [
        (
            6,
            "Mina K.",
            "Good to see both sides say plainly that this is not only "
            "a question for the peninsula. The shipments feed a war thousands of "
            "kilometres away.",
            [
                (
                    14,
                    "Daniel R.",
                    "Agreed, though statements are the easy part. "
                    "What would actually stop the transfers?",
                    [
                        (
                            22,
                            "Mina K.",
                            "Inspections at sea, probably, and pressure "
                            "on the ports that handle the cargo. Neither is quick.",
                            [],
                        ),
                        (
                            31,
                            "Old Hand",
                            "Sanctions panels used to track exactly "
                            "this. Losing that monitoring made it harder.",
                            [],
                        ),
                    ],
                ),
                (
                    19,
                    "박지훈",
                    "안보 문제가 한반도만의 일이 아니라는 점에 동의합니다. "
                    "구체적인 후속 조치가 나오길 기대합니다.",
                    [],
                ),
            ],
        ),
        (
            9,
            "Harriet W.",
            "The article says the meeting lasted about an hour. "
            "Was there a joint statement, or only separate readouts?",
            [
                (
                    16,
                    "Yuna P.",
                    "The piece mentions a statement released after "
                    "the meeting, so at least one text exists.",
                    [
                        (27, "Harriet W.", "Thanks, I missed that paragraph.", []),
                    ],
                ),
            ],
        ),
        (
            12,
            "Tomasz",
            "Writing from Warsaw: this gets a lot of attention here "
            "too. Shells from the North have turned up in reports from the front.",
            [
                (
                    25,
                    "Grace L.",
                    "It is striking how connected these theatres have become.",
                    [],
                ),
            ],
        ),
        (
            34,
            "Ahn S.",
            "I would like to read more about what Seoul can do on "
            "its own, beyond coordinating with Washington.",
            [],
        ),
        (
            41,
            "seoul_commuter",
            "Clear, calm write-up. Thank you for translating it so quickly.",
            [],
        ),
        (
            48,
            "이수민",
            "번역 기사 감사합니다. 원문과 함께 읽으니 이해가 쉬웠습니다.",
            [],
        ),
    ],
    "north-korea-fires-short-range-missiles-into-east-sea": [
        (
            40,
            "Grace L.",
            "Another launch the week of the talks. The timing rarely seems accidental.",
            [
                (
                    75,
                    "Daniel R.",
                    "Or it is simply the testing calendar. Hard to know from outside.",
                    [
                        (
                            110,
                            "Grace L.",
                            "Fair. Both readings probably have some truth in them.",
                            [],
                        ),
                    ],
                ),
            ],
        ),
        (
            60,
            "Fishing family, Sokcho",
            "Boats from our harbour stayed in port "
            "this morning. Nobody was told much at first.",
            [
                (
                    95,
                    "Ahn S.",
                    "That sounds worrying. I hope the coast guard "
                    "gives clearer notices next time.",
                    [],
                ),
            ],
        ),
        (
            130,
            "Old Hand",
            "Short-range, solid fuel, launched from the east "
            "coast. The pattern is familiar.",
            [],
        ),
        (
            200,
            "김하늘",
            "동해 쪽 주민들은 늘 불안합니다. 정확한 정보가 빨리 나왔으면 좋겠습니다.",
            [],
        ),
        (
            320,
            "Tomasz",
            "Does anyone know whether Japan reported the same flight distance?",
            [],
        ),
    ],
    "assembly-passes-revised-budget-after-late-night-session": [
        (
            90,
            "Mina K.",
            "Late-night sessions always make me wonder what was traded away at 2 a.m.",
            [
                (
                    150,
                    "Park J.",
                    "The summary lists the changes, at least. "
                    "Childcare money survived.",
                    [],
                ),
            ],
        ),
        (
            240,
            "Harriet W.",
            "Is there a table of the line items anywhere? "
            "The article gives the totals only.",
            [
                (
                    300,
                    "seoul_commuter",
                    "The ministry usually posts the full tables a day or two later.",
                    [],
                ),
            ],
        ),
        (
            420,
            "Ahn S.",
            "Glad it passed before the deadline, whatever one thinks of the details.",
            [],
        ),
    ],
    "exports-rise-for-fifth-straight-month-on-chip-demand": [
        (
            120,
            "Kim D.",
            "Five months in a row is good news, but it is almost "
            "all chips. Other industries are flat.",
            [
                (200, "Grace L.", "That concentration worries me as well.", []),
            ],
        ),
        (
            360,
            "Tomasz",
            "Our company ships parts to Ulsan and we have felt the "
            "pickup since the summer.",
            [],
        ),
        (600, "박지훈", "반도체 말고 다른 수출 품목도 회복되었으면 합니다.", []),
    ],
    "central-bank-holds-rate-steady-signals-patience": [
        (
            180,
            "Park J.",
            "Patience is fine for savers, less so for anyone with a variable mortgage.",
            [
                (
                    260,
                    "Kim D.",
                    "True, but cutting too early could bring prices back up.",
                    [],
                ),
            ],
        ),
        (
            500,
            "Harriet W.",
            "A clear explanation of a dull decision, which is a compliment.",
            [],
        ),
    ],
    "seoul-subway-extends-late-night-service-on-weekends": [
        (
            300,
            "seoul_commuter",
            "Finally. The last train home has been a "
            "problem for shift workers for years.",
            [
                (420, "이수민", "맞아요. 주말 야간 근무자에게 큰 도움이 됩니다.", []),
            ],
        ),
    ],
    "consumer-prices-rise-at-slowest-pace-in-three-years": [
        (
            400,
            "Mina K.",
            "Slower rises are welcome, but the supermarket bill has not come down.",
            [],
        ),
    ],
    "g7-statement-condemns-missile-transfers": [
        (
            200,
            "Old Hand",
            "Strong words. The follow-up is what will matter.",
            [
                (400, "Tomasz", "As usual. Still, a shared text is not nothing.", []),
            ],
        ),
    ],
}

# The live story: rolling updates on the launches, newest last here; each is
# (minutes after the story was published, author slug, headline, text, key
# point). Written for the demo: no agency copy.
LIVE_COVERAGE = {
    "slug": "north-korea-fires-short-range-missiles-into-east-sea",
    "summary": "Updates through the day as the military and the government "
    "respond to the launches.",
    "updates": [
        (
            20,
            CHOI,
            "Several missiles, military says",
            "The Joint Chiefs of Staff now say more than one missile was fired "
            "from an inland area north of the capital between 7:40 and 8:05 "
            "a.m.\n\nNo damage to ships or aircraft has been reported.",
            True,
        ),
        (
            75,
            LEE,
            "",
            "Coast guard vessels in the East Sea were told to stay clear of the "
            "area where the missiles are believed to have come down. Fishing "
            "cooperatives on the east coast say their boats have been called "
            "back to port as a precaution.",
            False,
        ),
        (
            140,
            CHOI,
            "Security council meets",
            "The presidential office convened an emergency meeting of the "
            "national security council. A spokesperson called the launches a "
            "clear violation of UN resolutions and said Seoul is sharing its "
            "analysis with Washington and Tokyo in real time.",
            True,
        ),
        (
            230,
            LEE,
            "",
            "Japan's defence ministry says none of the missiles entered its "
            "exclusive economic zone. Its coast guard had issued a navigation "
            "warning within minutes of the first launch.",
            False,
        ),
        (
            330,
            CHOI,
            "Drills go ahead",
            "Military officials say the combined exercises that began this "
            "morning will continue as planned. Flight data is still being "
            "analysed; a fuller assessment is expected this evening.",
            True,
        ),
    ],
}

# Held for review: the moderators' queue is not empty on a fresh demo.
HELD_COMMENTS = [
    # (story slug, minutes after publication, name, text, reason)
    (
        LEAD_SLUG,
        50,
        "Link collector",
        "Background reading for anyone interested: https://example.org/arms "
        "https://example.org/sanctions https://example.org/shipping",
        "links",
    ),
    (
        "north-korea-fires-short-range-missiles-into-east-sea",
        400,
        "First-time reader",
        "I live near the coast and would like to know where to find official "
        "warnings in English.",
        "premoderation",
    ),
]
