package classify

import "testing"

// TestGeneralRules holds one case per rule that reaches beyond a single
// lexicon term, each with twins that must not fire: the rules are meant to
// hold for posts about any brand, so every one is checked against the
// everyday sentence that shares its words.
func TestGeneralRules(t *testing.T) {
	c := New()
	tests := []struct {
		name, text string
		want       want
	}{
		// Safety from a hazard object and a failure close together.
		{"brake stopped biting", "rear brake just stopped biting halfway down the hill", want{"", Safety, Critical, "", ""}},
		{"lever to the bar", "pads fine but the lever went straight to the bar", want{"", Safety, "", "", ""}},
		{"brake cable is no hazard", "had to replace the brake cable, shop was quick and cheap", want{"", Praise, "", "", ""}},
		{"brake levers adjusted", "bike shop adjusted my brake levers, great service", want{Positive, Praise, "", "", ""}},
		{"battery bulge", "my scooter battery has a visible bulge on one side", want{"", Safety, "", "", ""}},
		{"bulge in the box", "the battery arrived fine. the box had a bulge in the corner", want{"", Other, "", "", ""}},
		{"battery life", "battery life is amazing, lasts two days", want{Positive, Praise, "", "", ""}},
		{"wrong pills", "pharmacy gave my dad the wrong pills", want{"", Safety, "", "", ""}},
		{"someone else's prescription", "handed me someone else's prescription at the counter", want{"", Safety, "", "", ""}},
		{"pills look different", "my refill pills look completely different this month", want{"", Safety, "", "", ""}},
		{"wrong date is no mix-up", "the app shows the wrong date for my prescription refill", want{"", Bug, "", "", ""}},
		{"different prices", "they charge different prices for my meds every month", want{"", "", "", "", ""}},
		{"railing moved", "the balcony railing on the 6th floor literally moved when I leaned on it", want{"", Safety, "", "", ""}},
		{"ceiling came down", "part of the bathroom ceiling collapsed at 2am", want{"", Safety, "", "", ""}},
		{"shelf moved aisles", "the shelf moved to aisle 5 and I couldn't find the pasta", want{"", Other, "", "", ""}},
		{"dresser tipped on child", "the dresser tipped over on my toddler", want{"", Safety, "", "", ""}},
		{"fell in love", "my kid fell in love with the new game", want{Positive, Praise, "", "", ""}},
		{"tv fell out of favour", "the tv fell out of favour after we got the projector", want{"", Other, "", "", ""}},
		{"ran a red", "the bus driver ran a red at the junction", want{"", Safety, "", "", ""}},
		{"nearly hit a cyclist", "their van nearly took out a cyclist on my street", want{"", Safety, "", "", ""}},
		{"hit a milestone", "finally hit 1000 followers, thanks everyone", want{Positive, Praise, "", "", ""}},
		{"tipped the driver", "I tipped the driver and he thanked me", want{"", Praise, "", "", ""}},
		{"dog sick after food", "our dog was sick all night after the new food", want{"", Safety, "", "", ""}},
		{"dog loves food", "our dog is obsessed with this food", want{Positive, Praise, "", "", ""}},
		{"fingers trapped", "the hinge trapped my daughter's fingers", want{"", Safety, "", "", ""}},
		{"fingers crossed", "fingers crossed the package arrives today", want{"", Other, "", "", ""}},
		{"skin stinging", "used the peel and my skin is stinging and red", want{"", Safety, "", "", ""}},
		{"skin is no harm", "my skin feels lovely and smooth after this cream", want{Positive, Praise, "", "", ""}},
		{"person collapsed", "a man collapsed in the queue and staff did nothing", want{"", Safety, "", "", ""}},
		{"price collapsed", "the price collapsed after launch, great time to buy", want{"", "", "", "", ""}},
		{"raw chicken", "there was raw chicken in my burrito", want{"", Safety, "", "", ""}},
		{"chicken pink inside", "the chicken was pink in the middle", want{"", Safety, "", "", ""}},
		{"pink sauce", "tried the new burger, pink sauce is amazing", want{Positive, Praise, "", "", ""}},
		{"stuck in the lift", "we were stuck in the hotel lift for an hour", want{"", Safety, "", "", ""}},

		{"asleep at the wheel", "the driver fell asleep at the wheel on the motorway", want{"", Safety, "", "", ""}},
		{"fell asleep on the train", "fell asleep on the train home, so comfy", want{"", "-", "", "", ""}},
		{"part in a mouth", "found my son with the remote battery in his mouth", want{"", Safety, "", "", ""}},
		{"screw in food", "found a screw in my salad from them", want{"", Safety, "", "", ""}},
		{"screw before food is fine", "screw it, ordering food again tonight", want{"", "-", "", "", ""}},

		{"app crashed near a child", "the app crashed when my son opened it", want{"", Bug, "", "", ""}},
		{"buggy app ran", "the app ran really buggy all week", want{"", "-", "", "", ""}},
		{"stroller folds", "she collapsed the stroller with one hand, so easy", want{"", "-", "", "", ""}},
		{"peel-off mask", "the mask peeling off my face is so satisfying", want{"", "-", "", "", ""}},
		{"dog and ball", "threw the ball and my dog went mad for it", want{"", "-", "", "", ""}},
		{"second row", "the second row seats are great", want{Positive, Praise, "", "", ""}},
		{"flight cancelled, account", "flight cancelled and my account shows no refund", want{"", Complaint, "", "", ""}},
		{"will be delivered", "the app says it will be delivered tomorrow", want{"", "-", "", "", ""}},
		{"in a row", "third month in a row my prescription is late", want{Negative, "", "", "", ""}},

		// A hazard word that needs the post not to read as praise.
		{"recall sorted is praise", "Big thank you to the dealer for sorting my recall work in one visit", want{Positive, Praise, "", "", ""}},
		{"recall unanswered", "my car has a recall and nobody has called me back in 3 weeks", want{"", Safety, "", "", ""}},
		{"doctor's tip", "doctor said I should try their sleep app, it actually helps", want{"", "-", "", "", ""}},
		{"recommended by a doctor", "my dermatologist recommended it and it's brilliant", want{Positive, Praise, "", "", ""}},
		{"allergy tablets are a product", "$14 for the allergy tablets?? were $8.99 in spring", want{"", Complaint, "", "", ""}},
		{"allergy in a complaint", "they served nuts despite my son's allergy, we are furious", want{"", Safety, "", "", ""}},

		// Legal action taken, not asked about.
		{"lawyer asked about", "they denied my claim. do I need a lawyer at this point?", want{"", Complaint, "", "", ""}},
		{"lawyers instructed", "we are speaking to lawyers about the data leak", want{"", Safety, "", "", ""}},
		{"lawyer in an advert", "the lawyer in their new ad is so annoying", want{"", Complaint, "", "", ""}},
		{"should I sue", "they lost my bag again. should I sue them?", want{"", Complaint, "", "", ""}},

		// News of a hazard is neutral, and still safety.
		{"recall reported", "Tiny Otter has issued a voluntary recall of its infant formula over contamination", want{Neutral, Safety, "", "", ""}},
		{"news is not a lead", "TixNest to scrap dynamic pricing for UK events after regulator review", want{"", Other, "", "", ""}},

		// Promotion without a link is spam; someone's own story is not.
		{"tout with hashtags", "cheap tickets available!!! DM me, paypal only #concert #tickets", want{Neutral, Spam, Low, "", ""}},
		{"giveaway without a link", "🎉GIVEAWAY🎉 Win a stroller worth $699!! Tag 3 mama friends #giveaway #baby", want{Neutral, Spam, "", "", ""}},
		{"price with bangs", "e-bike ONLY $299!!! free shipping worldwide, limited stock → bikes-sale.example", want{"", Spam, "", "", ""}},
		{"own sale find", "So happy with my new lamp!! got it in the sale #home #cosy", want{Positive, Praise, "", "", ""}},
		{"bare example domain", "70% OFF today only 👉 glow-outlet.example", want{"", Spam, "", "", ""}},

		// Leaving.
		{"cancel named membership", "trying to cancel my IronHaus membership and they want a letter", want{"", Churn, "", "", ""}},
		{"keep membership", "Don't cancel my membership please, I want to keep it", want{"", "-", "", "", ""}},
		{"never again put another way", "not using them ever again, still no refund", want{"", Churn, "", "", ""}},
		{"ever again asked", "will I ever again find a lamp this good?", want{"", Question, "", "", ""}},
		{"moving everything away", "after two months of lost parcels we're moving everything to another courier", want{Negative, Churn, "", "", ""}},
		{"moving everything in", "moving everything into the new wardrobe was easy, lovely piece", want{Positive, Praise, "", "", ""}},
		{"sold in a happy post", "resale was brilliant. Sold my spare in 20 mins, money in my account next day", want{"", "-", "", "", ""}},

		// Buying questions.
		{"is it worth it", "our old monitor just died. is the video monitor worth it? heard good things", want{"", Lead, "", "", ""}},
		{"grievance before a buying question", "charged twice again, so annoying. anyone using Hue instead?", want{Negative, Complaint, "", "", ""}},
		{"worth every penny", "this is worth every penny", want{Positive, Praise, "", "", ""}},
		{"anyone stayed", "Anyone actually stayed with them? thinking of booking 5 nights", want{"", Lead, "", "", ""}},
		{"thinking of booking", "thinking of booking their Lisbon apartments", want{"", Lead, "", "", ""}},
		{"thinking about an order", "thinking about my order, when will it ship?", want{"", Question, "", "", ""}},
		{"author indifferent", "is premium worth it? mostly want strength plans, don't care about the meal stuff", want{"", Lead, "", "", ""}},
		{"pricing alone is no lead", "anyone know if the free tier still includes redis after the pricing change", want{"", Question, "", "", ""}},

		// Questions without "?" at the start.
		{"alternative question", "@rail are bikes allowed on the 7:10 or is that still peak", want{"", Question, "", "", ""}},
		{"either or", "either it works or it doesn't, no in between", want{"", "-", "", "", ""}},

		// Defects.
		{"button does nothing", "the Skip button does nothing, clicked it 5 times", want{"", Bug, "", "", ""}},
		{"http error", "checkout page keeps returning 502 for everyone", want{"", Bug, "", "", ""}},
		{"points are no error", "I got 500 points on my loyalty card", want{"", "-", "", "", ""}},
		{"since the named update", "heart rate shows dashes since the watchOS update", want{"", Bug, "", "", ""}},
		{"technical report is neutral", "import fails with `401 Unauthorized` after token refresh (v3.2.0)", want{Neutral, Bug, "", "", ""}},
		{"price is no version", "can't export a CSV without paying £4.99, absurd", want{Negative, "", "", "", ""}},
		{"works after update", "after the update it works great, thanks!", want{"", "", "", "", ""}},

		// Grievances with no grievance word.
		{"late by weeks", "my order is two weeks late and nobody answers", want{Negative, Complaint, "", "", ""}},
		{"late night", "late night pizza from them hit the spot", want{"", "-", "", "", ""}},
		{"wait as a question", "why does it take them 6 weeks to process a windshield claim", want{Negative, Complaint, "", "", ""}},
		{"billed for", "they billed me for reserved IPs on a project I deleted", want{Negative, Complaint, "", "", ""}},
		{"nobody knocked", "marked my package delivered. I was home. nobody knocked", want{Negative, Complaint, "", "", ""}},
		{"shouted", "WHY IS THE 5:40 ALWAYS FULL. ADD A BUS", want{Negative, Complaint, "", "", ""}},
		{"only loud", "NEW COLLECTION OUT TODAY", want{Neutral, "", "", "", ""}},
		{"shouted how-to", "HOW DO I RESET THE HUB", want{"", Question, "", "", ""}},
		{"eager wait", "can't wait 3 weeks for the new season!", want{Positive, "-", "", "", ""}},
		{"shouted joy", "WHY IS THIS LAMP SO GOOD", want{Positive, "", "", "", ""}},
		{"price was lower", "$14 for the tablets that were $8.99 in the spring", want{Negative, Complaint, "", "", ""}},
		{"price came down", "The old lamp was $40, now it's $30. nice", want{Positive, "", "", "", ""}},
		{"repeated calls", "called 3 times and every time the part is on the way", want{Negative, Complaint, "", "", ""}},
		{"venting", "Small rant. paid extra for an ocean view and got the car park", want{Negative, Complaint, "", "", ""}},

		// Mixed posts: the strong negative drives them.
		{"love the staff hate the line", "Love my local pharmacists, they're the best. HATE the new phone line.", want{Negative, Complaint, "", "", ""}},
		{"hate to say it", "I hate to say it but this is the best lamp I've owned", want{Positive, Praise, "", "", ""}},

		// Irony and warmth.
		{"eye roll sarcasm", "driver lobbed my parcel over the gate into the rain 🙃 great job guys", want{Negative, Complaint, "", "", ""}},
		{"thanks I guess", "now the dog barks at every van. Thanks, I guess.", want{"", Other, "", "", ""}},
		{"kudos", "Kudos to the conductor who found the owner of a lost wallet", want{Positive, Praise, "", "", ""}},
		{"replacement is a fix", "shout-out for replacing my cracked rack under warranty", want{Positive, Praise, "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(Input{Text: tt.text})
			check := func(field, got, want string) {
				t.Helper()
				switch {
				case want == "":
				case want == "-" && field == "intent" && (got == Safety || got == Churn || got == Spam):
					t.Errorf("%s = %q, want no alarm", field, got)
				case want == "-" && field == "intent":
				case want == "-" && got != "":
					t.Errorf("%s = %q, want none", field, got)
				case want != "-" && got != want:
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			check("sentiment", got.Sentiment, tt.want.sentiment)
			check("intent", got.Intent, tt.want.intent)
			check("urgency", got.Urgency, tt.want.urgency)
			if t.Failed() {
				t.Logf("text: %q\ngot:  %+v\nterms: %v", tt.text, got, termsOf(c, tt.text))
			}
		})
	}
}
