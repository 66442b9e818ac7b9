<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="hi_IN">
<context>
    <name></name>
    <message>
        <source>Downtime ID {id}</source>
        <translation>डाउनटाइम आईडी {id}</translation>
    </message>
    <message>
        <source>ALLERGIES: {names}</source>
        <translation>एलर्जी: {names}</translation>
    </message>
    <message>
        <source>No known allergies (recorded in the HMIS)</source>
        <translation>कोई ज्ञात एलर्जी नहीं (HMIS में दर्ज)</translation>
    </message>
    <message>
        <source>Allergies not recorded: ask the patient or relative</source>
        <translation>एलर्जी दर्ज नहीं है: रोगी या परिजन से पूछें</translation>
    </message>
    <message>
        <source>Saved as PDF: {forms}.</source>
        <translation>PDF के रूप में सेव किया गया: {forms}।</translation>
    </message>
    <message>
        <source>Sent to the printer: {forms}.</source>
        <translation>प्रिंटर को भेजा गया: {forms}।</translation>
    </message>
    <message>
        <source>{form} was not printed ({reason}). Its PDF is kept at {pdf}: print it from another PC.</source>
        <translation>{form} प्रिंट नहीं हुआ ({reason})। इसकी PDF {pdf} पर रखी है: इसे दूसरे PC से प्रिंट करें।</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>नाम</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>लिंग</translation>
    </message>
    <message>
        <source>DOB / age</source>
        <translation>जन्म तिथि / आयु</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>फ़ोन</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>पता</translation>
    </message>
    <message>
        <source>PIN code</source>
        <translation>पिन कोड</translation>
    </message>
    <message>
        <source>UHID / ABHA</source>
        <translation>UHID / ABHA</translation>
    </message>
    <message>
        <source>✓ agrees</source>
        <translation>✓ मेल खाता है</translation>
    </message>
    <message>
        <source>≈ partly agrees</source>
        <translation>≈ आंशिक मेल</translation>
    </message>
    <message>
        <source>✗ differs</source>
        <translation>✗ अलग</translation>
    </message>
    <message>
        <source>– missing</source>
        <translation>– दर्ज नहीं</translation>
    </message>
    <message>
        <source>– not compared</source>
        <translation>– तुलना नहीं हुई</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>फ़ील्ड</translation>
    </message>
    <message>
        <source>Registration</source>
        <translation>पंजीकरण</translation>
    </message>
    <message>
        <source>selected</source>
        <translation>चुना गया</translation>
    </message>
    <message>
        <source>linked now</source>
        <translation>अभी जुड़ा है</translation>
    </message>
    <message>
        <source>suggested</source>
        <translation>सुझाया गया</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>अस्वीकार</translation>
    </message>
    <message>
        <source>Age / sex</source>
        <translation>आयु / लिंग</translation>
    </message>
    <message>
        <source>Relative</source>
        <translation>परिजन</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>आईडी</translation>
    </message>
    <message>
        <source>Ward / bed</source>
        <translation>वार्ड / बेड</translation>
    </message>
    <message>
        <source>From</source>
        <translation>स्रोत</translation>
    </message>
    <message>
        <source>Downtime</source>
        <translation>डाउनटाइम</translation>
    </message>
    <message>
        <source>HMIS snapshot</source>
        <translation>HMIS स्नैपशॉट</translation>
    </message>
    <message>
        <source>this downtime</source>
        <translation>इसी डाउनटाइम में</translation>
    </message>
    <message>
        <source>Name, UHID, downtime ID, phone or ABHA — or scan a barcode</source>
        <translation>नाम, UHID, डाउनटाइम आईडी, फ़ोन या ABHA — या बारकोड स्कैन करें</translation>
    </message>
    <message>
        <source>this QR code</source>
        <translation>यह QR कोड</translation>
    </message>
    <message>
        <source>voided</source>
        <translation>रद्द</translation>
    </message>
    <message>
        <source>corrected</source>
        <translation>संशोधित</translation>
    </message>
    <message>
        <source>printed {n}×</source>
        <translation>{n} बार प्रिंट</translation>
    </message>
    <message>
        <source>printed</source>
        <translation>प्रिंट हुआ</translation>
    </message>
    <message>
        <source>not printed</source>
        <translation>प्रिंट नहीं हुआ</translation>
    </message>
    <message>
        <source>exported</source>
        <translation>एक्सपोर्ट हो गया</translation>
    </message>
    <message>
        <source>not yet exported</source>
        <translation>अभी एक्सपोर्ट नहीं हुआ</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>समय</translation>
    </message>
    <message>
        <source>Entry</source>
        <translation>प्रविष्टि</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>रोगी</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>स्थिति</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>स्टाफ़</translation>
    </message>
</context>
<context>
    <name>AdmitScreen</name>
    <message>
        <source>Already admitted: {ward}, bed {bed}, since {since}. Admit again only if that admission has ended.</source>
        <translation>पहले से भर्ती: {ward}, बेड {bed}, {since} से। दोबारा भर्ती तभी करें जब वह भर्ती समाप्त हो चुकी हो।</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>The toolkit hit an internal error ({name}). Entries already saved are safe. Details for IT are in {where}.</source>
        <translation>टूलकिट में आंतरिक त्रुटि हुई ({name})। पहले से सेव की गई प्रविष्टियाँ सुरक्षित हैं। IT के लिए विवरण {where} में है।</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation>कुछ गड़बड़ हो गई</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>ward</source>
        <translation>वार्ड</translation>
    </message>
    <message>
        <source>doctor</source>
        <translation>डॉक्टर</translation>
    </message>
    <message>
        <source>lab</source>
        <translation>लैब</translation>
    </message>
    <message>
        <source>records</source>
        <translation>रिकॉर्ड</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>एडमिन</translation>
    </message>
    <message>
        <source>under a minute</source>
        <translation>एक मिनट से कम</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} मिनट</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} घंटे {m} मिनट</translation>
    </message>
    <message>
        <source>{d} d {h} h</source>
        <translation>{d} दिन {h} घंटे</translation>
    </message>
    <message>
        <source>No downtime declared</source>
        <translation>कोई डाउनटाइम घोषित नहीं</translation>
    </message>
    <message>
        <source>Downtime: {reason} — started {at}</source>
        <translation>डाउनटाइम: {reason} — {at} से</translation>
    </message>
    <message>
        <source>Downtime: {reason} — started {ago} ago</source>
        <translation>डाउनटाइम: {reason} — {ago} पहले शुरू हुआ</translation>
    </message>
    <message>
        <source>no snapshot</source>
        <translation>कोई स्नैपशॉट नहीं</translation>
    </message>
    <message>
        <source>snapshot of {as_of}</source>
        <translation>{as_of} का स्नैपशॉट</translation>
    </message>
    <message>
        <source>snapshot {age} old</source>
        <translation>स्नैपशॉट {age} पुराना</translation>
    </message>
    <message>
        <source>no ID block</source>
        <translation>आईडी ब्लॉक नहीं</translation>
    </message>
    <message>
        <source>IDs left: {n:,}</source>
        <translation>बची आईडी: {n:,}</translation>
    </message>
</context>
<context>
    <name>BannerWidget</name>
    <message>
        <source>Log out (Ctrl+L)</source>
        <translation>लॉग आउट (Ctrl+L)</translation>
    </message>
    <message>
        <source>· device {device}</source>
        <translation>· डिवाइस {device}</translation>
    </message>
    <message>
        <source>Logged in: {name} ({role})</source>
        <translation>लॉग इन: {name} ({role})</translation>
    </message>
</context>
<context>
    <name>BirthFlow</name>
    <message>
        <source>Newborn registered: {name}, downtime ID {id}</source>
        <translation>नवजात का पंजीकरण हुआ: {name}, डाउनटाइम आईडी {id}</translation>
    </message>
    <message>
        <source>Put the wristband on each baby before it leaves the mother&apos;s side.</source>
        <translation>हर शिशु को माँ के पास से हटाने से पहले उसकी कलाई पट्टी बाँधें।</translation>
    </message>
    <message>
        <source>Babies born in this delivery:</source>
        <translation>इस प्रसव में जन्मे शिशु:</translation>
    </message>
    <message>
        <source>Baby {number}</source>
        <translation>शिशु {number}</translation>
    </message>
</context>
<context>
    <name>CensusScreen</name>
    <message>
        <source>Ward census</source>
        <translation>वार्ड सेंसस</translation>
    </message>
    <message>
        <source>All wards</source>
        <translation>सभी वार्ड</translation>
    </message>
    <message>
        <source>Print census sheet (Ctrl+P)</source>
        <translation>सेंसस शीट प्रिंट करें (Ctrl+P)</translation>
    </message>
    <message>
        <source>The HMIS snapshot&apos;s in-patients with this PC&apos;s admissions, transfers and discharges, on screen and on the printed sheet.</source>
        <translation>HMIS स्नैपशॉट के भर्ती रोगी, इस PC पर हुई भर्ती, स्थानांतरण और डिस्चार्ज के साथ: स्क्रीन पर भी और छपी शीट पर भी।</translation>
    </message>
    <message>
        <source>Ward</source>
        <translation>वार्ड</translation>
    </message>
    <message>
        <source>Bed</source>
        <translation>बेड</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>नाम</translation>
    </message>
    <message>
        <source>Age / sex</source>
        <translation>आयु / लिंग</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>आईडी</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>भर्ती</translation>
    </message>
    <message>
        <source>IP number</source>
        <translation>आईपी नंबर</translation>
    </message>
    <message>
        <source>Admitted in</source>
        <translation>भर्ती कहाँ दर्ज</translation>
    </message>
    <message>
        <source>Ward:</source>
        <translation>वार्ड:</translation>
    </message>
    <message>
        <source>this downtime</source>
        <translation>इसी डाउनटाइम में</translation>
    </message>
    <message>
        <source>HMIS</source>
        <translation>HMIS</translation>
    </message>
    <message numerus="yes">
        <source>%n in-patient(s)</source>
        <translation>
            <numerusform>%n भर्ती रोगी</numerusform>
            <numerusform>%n भर्ती रोगी</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConflictPanel</name>
    <message>
        <source>Show resolved ones too</source>
        <translation>सुलझाए गए भी दिखाएँ</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>कारण:</translation>
    </message>
    <message>
        <source>Why (optional)</source>
        <translation>क्यों (वैकल्पिक)</translation>
    </message>
    <message>
        <source>Keep the held copy (K)</source>
        <translation>पहले से रखी प्रति रखें (K)</translation>
    </message>
    <message>
        <source>Take the later copy (T)</source>
        <translation>बाद वाली प्रति लें (T)</translation>
    </message>
    <message>
        <source>open</source>
        <translation>खुला</translation>
    </message>
    <message>
        <source>later copy taken</source>
        <translation>बाद वाली प्रति ली गई</translation>
    </message>
    <message>
        <source>held copy kept</source>
        <translation>पहले वाली प्रति रखी गई</translation>
    </message>
    <message>
        <source>No import conflicts</source>
        <translation>कोई आयात टकराव नहीं</translation>
    </message>
    <message>
        <source>Every entry arrived in one version only.</source>
        <translation>हर प्रविष्टि केवल एक ही रूप में आई है।</translation>
    </message>
    <message>
        <source>{kind} {uuid}: two copies</source>
        <translation>{kind} {uuid}: दो प्रतियाँ</translation>
    </message>
    <message>
        <source>Only where and when it was recorded differ: the same record copied to another PC. Keeping the held copy is usually right.</source>
        <translation>केवल यह अलग है कि कहाँ और कब दर्ज हुई: वही रिकॉर्ड दूसरे पीसी पर कॉपी हुआ है। आमतौर पर पहले से रखी प्रति रखना सही है।</translation>
    </message>
    <message>
        <source>The contents differ: ask the ward which copy is right. Until then the entry is held back from the HMIS.</source>
        <translation>सामग्री अलग है: वार्ड से पूछें कि कौन-सी प्रति सही है। तब तक यह प्रविष्टि एचएमआईएस को नहीं भेजी जाएगी।</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>फ़ील्ड</translation>
    </message>
    <message>
        <source>Held copy ({device})</source>
        <translation>पहले से रखी प्रति ({device})</translation>
    </message>
    <message>
        <source>Later copy ({device})</source>
        <translation>बाद वाली प्रति ({device})</translation>
    </message>
    <message>
        <source>Same?</source>
        <translation>समान?</translation>
    </message>
    <message>
        <source>same</source>
        <translation>समान</translation>
    </message>
    <message>
        <source>✗ differs</source>
        <translation>✗ अलग</translation>
    </message>
    <message>
        <source>Kind of entry</source>
        <translation>प्रविष्टि का प्रकार</translation>
    </message>
    <message>
        <source>PC</source>
        <translation>पीसी</translation>
    </message>
    <message>
        <source>Number on that PC</source>
        <translation>उस पीसी पर क्रमांक</translation>
    </message>
    <message>
        <source>Staff ID</source>
        <translation>स्टाफ़ आईडी</translation>
    </message>
    <message>
        <source>Recorded at</source>
        <translation>दर्ज करने का समय</translation>
    </message>
    <message>
        <source>Clinical time</source>
        <translation>क्लिनिकल समय</translation>
    </message>
    <message>
        <source>Kept the copy from {device}. Saved with your staff ID.</source>
        <translation>{device} वाली प्रति रखी गई। आपकी स्टाफ़ आईडी के साथ सेव हुआ।</translation>
    </message>
    <message>
        <source>Run &apos;reconcile match&apos; again to match this registration.</source>
        <translation>इस पंजीकरण का मिलान करने के लिए &apos;reconcile match&apos; फिर से चलाएँ।</translation>
    </message>
</context>
<context>
    <name>CorrectScreen</name>
    <message>
        <source>Correct or cancel: {what} {id}</source>
        <translation>सुधार करें या रद्द करें: {what} {id}</translation>
    </message>
    <message>
        <source>Correct this entry</source>
        <translation>इस प्रविष्टि में सुधार करें</translation>
    </message>
    <message>
        <source>Void: cancel this entry, it was made in error</source>
        <translation>रद्द करें: यह प्रविष्टि गलती से बनी थी</translation>
    </message>
    <message>
        <source>e.g. wrong bed number written; entered for the wrong patient</source>
        <translation>जैसे गलत बेड नंबर लिखा गया; गलत रोगी के नाम पर दर्ज हुआ</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>क्या करना है</translation>
    </message>
    <message>
        <source>Reason *</source>
        <translation>कारण *</translation>
    </message>
    <message>
        <source>Save (Ctrl+Enter)</source>
        <translation>सेव करें (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>{what} {id} voided. Strike through its paper copies.</source>
        <translation>{what} {id} रद्द किया गया। इसकी कागज़ी प्रतियों पर काट का निशान लगाएँ।</translation>
    </message>
    <message>
        <source>{what} {id} corrected.</source>
        <translation>{what} {id} में सुधार किया गया।</translation>
    </message>
</context>
<context>
    <name>DeathFlow</name>
    <message>
        <source>The death forms will be printed for this patient. Is this the right patient? Check the wristband or ask the relative.</source>
        <translation>इस रोगी के मृत्यु संबंधी फ़ॉर्म प्रिंट होंगे। क्या यही सही रोगी है? कलाई पट्टी देखें या परिजन से पूछें।</translation>
    </message>
    <message>
        <source>Death recorded: {who}, {when}.</source>
        <translation>मृत्यु दर्ज की गई: {who}, {when}।</translation>
    </message>
    <message>
        <source>Form 2 (death report) corrected with the underlying cause; reprinted.</source>
        <translation>फ़ॉर्म 2 (मृत्यु रिपोर्ट) में मूल कारण जोड़ा गया; दोबारा प्रिंट किया गया।</translation>
    </message>
    <message>
        <source>Form 2 (death report) saved.</source>
        <translation>फ़ॉर्म 2 (मृत्यु रिपोर्ट) सेव हो गया।</translation>
    </message>
    <message>
        <source>MCCD signed by {doctor}; give the relatives their copy (the slip below the cut line).</source>
        <translation>MCCD पर {doctor} के हस्ताक्षर हुए; परिजनों को उनकी प्रति दें (कटाई की रेखा के नीचे वाली पर्ची)।</translation>
    </message>
    <message>
        <source>MCCD not signed yet: a doctor must open Death for this patient and sign it.</source>
        <translation>MCCD पर अभी हस्ताक्षर नहीं हुए: डॉक्टर इस रोगी के लिए &quot;मृत्यु&quot; खोलकर हस्ताक्षर करें।</translation>
    </message>
    <message>
        <source>Underlying cause, from the MCCD (printed on Form 2): {cause}</source>
        <translation>मूल कारण, MCCD से (फ़ॉर्म 2 पर प्रिंट होगा): {cause}</translation>
    </message>
    <message>
        <source>The underlying cause comes from the MCCD once a doctor signs it.</source>
        <translation>डॉक्टर के MCCD पर हस्ताक्षर करने पर मूल कारण वहीं से आएगा।</translation>
    </message>
    <message>
        <source>&amp;1  Death</source>
        <translation>&amp;1  मृत्यु</translation>
    </message>
    <message>
        <source>&amp;2  Cause of death (MCCD)</source>
        <translation>&amp;2  मृत्यु का कारण (MCCD)</translation>
    </message>
    <message>
        <source>&amp;3  Death report (Form 2)</source>
        <translation>&amp;3  मृत्यु रिपोर्ट (फ़ॉर्म 2)</translation>
    </message>
    <message>
        <source>Write one condition per line; the underlying cause goes on the lowest line used. Do not write the mode of dying (e.g. cardiac arrest).</source>
        <translation>हर पंक्ति में एक ही रोग या स्थिति लिखें; मूल कारण सबसे नीचे भरी पंक्ति पर लिखें। मरने का ढंग (जैसे हृदय गति रुकना) न लिखें।</translation>
    </message>
    <message>
        <source>Only a doctor can sign the MCCD. Save the death and Form 2 now; a doctor then opens Death for this patient to sign it.</source>
        <translation>MCCD पर केवल डॉक्टर हस्ताक्षर कर सकते हैं। अभी मृत्यु और फ़ॉर्म 2 सेव करें; बाद में डॉक्टर इस रोगी के लिए &quot;मृत्यु&quot; खोलकर हस्ताक्षर करेंगे।</translation>
    </message>
    <message>
        <source>The death and Form 2 were recorded earlier. Write the causes and sign the MCCD; Form 2 is then reprinted with the underlying cause.</source>
        <translation>मृत्यु और फ़ॉर्म 2 पहले दर्ज हो चुके हैं। कारण लिखकर MCCD पर हस्ताक्षर करें; इसके बाद फ़ॉर्म 2 मूल कारण के साथ दोबारा प्रिंट होगा।</translation>
    </message>
    <message>
        <source>The death is recorded; it is waiting for a doctor to sign the MCCD.</source>
        <translation>मृत्यु दर्ज है; MCCD पर डॉक्टर के हस्ताक्षर बाकी हैं।</translation>
    </message>
    <message>
        <source>The death, Form 2 and the MCCD for this patient are already on this PC. To change them, use Correct on the patient&apos;s history.</source>
        <translation>इस रोगी की मृत्यु, फ़ॉर्म 2 और MCCD इस PC पर पहले से दर्ज हैं। बदलाव के लिए रोगी के इतिहास में &quot;सुधार&quot; का उपयोग करें।</translation>
    </message>
</context>
<context>
    <name>DischargeScreen</name>
    <message>
        <source>Not admitted, as far as the snapshot and this PC know. Check the patient.</source>
        <translation>स्नैपशॉट और इस PC के अनुसार यह रोगी भर्ती नहीं है। रोगी की जाँच करें।</translation>
    </message>
</context>
<context>
    <name>DonePage</name>
    <message>
        <source>Saved</source>
        <translation>सेव हो गया</translation>
    </message>
    <message>
        <source>Done (Enter)</source>
        <translation>हो गया (Enter)</translation>
    </message>
</context>
<context>
    <name>Flow</name>
    <message>
        <source>Downtime ID {id}</source>
        <translation>डाउनटाइम आईडी {id}</translation>
    </message>
</context>
<context>
    <name>FlowScreen</name>
    <message>
        <source>Is this the right patient? Check the wristband or ask the relative.</source>
        <translation>क्या यही सही रोगी है? कलाई पट्टी देखें या परिजन से पूछें।</translation>
    </message>
    <message>
        <source>Save and print (Ctrl+Enter)</source>
        <translation>सेव और प्रिंट करें (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>कैंसल करें (Esc)</translation>
    </message>
</context>
<context>
    <name>HelpOverlay</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>कीबोर्ड शॉर्टकट</translation>
    </message>
    <message>
        <source>F1 or Esc closes this list.</source>
        <translation>F1 या Esc दबाने से यह सूची बंद होगी।</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <source>Nothing has been recorded on this PC today yet.</source>
        <translation>आज इस PC पर अभी तक कुछ दर्ज नहीं हुआ है।</translation>
    </message>
    <message>
        <source>Nothing found for “{text}”. Check the spelling or the number, or register a new patient (F2).</source>
        <translation>“{text}” के लिए कुछ नहीं मिला। वर्तनी या नंबर जाँचें, या नया रोगी पंजीकृत करें (F2)।</translation>
    </message>
    <message numerus="yes">
        <source>Entries on this PC today: %n</source>
        <translation>
            <numerusform>आज इस PC पर प्रविष्टियाँ: %n</numerusform>
            <numerusform>आज इस PC पर प्रविष्टियाँ: %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LabRequestScreen</name>
    <message>
        <source>Specimen labels will be printed for this patient. Is this the right patient? Check the wristband before you take the sample.</source>
        <translation>इस रोगी के नमूना लेबल प्रिंट होंगे। क्या यही सही रोगी है? नमूना लेने से पहले कलाई पट्टी देखें।</translation>
    </message>
    <message>
        <source>Accession {id}: {sample}: {tests}</source>
        <translation>एक्सेशन {id}: {sample}: {tests}</translation>
    </message>
    <message>
        <source>Stick the labels on the tubes at the bedside, after taking the sample.</source>
        <translation>नमूना लेने के बाद बेड के पास ही ट्यूब पर लेबल चिपकाएँ।</translation>
    </message>
    <message>
        <source>No tests chosen yet.</source>
        <translation>अभी कोई जाँच नहीं चुनी गई।</translation>
    </message>
    <message numerus="yes">
        <source>Samples to take: %n (one accession number and set of labels each)</source>
        <translation>
            <numerusform>लेने वाले नमूने: %n (हर नमूने की अलग एक्सेशन संख्या और लेबल)</numerusform>
            <numerusform>लेने वाले नमूने: %n (हर नमूने की अलग एक्सेशन संख्या और लेबल)</numerusform>
        </translation>
    </message>
    <message>
        <source>Tests from the hospital&apos;s catalogue (HMIS snapshot).</source>
        <translation>जाँचें अस्पताल की जाँच सूची (HMIS स्नैपशॉट) से।</translation>
    </message>
    <message>
        <source>Tests from the built-in list (LOINC coded); the snapshot has no catalogue.</source>
        <translation>जाँचें टूलकिट की अपनी सूची (LOINC कोड सहित) से; स्नैपशॉट में जाँच सूची नहीं है।</translation>
    </message>
</context>
<context>
    <name>LabResultScreen</name>
    <message>
        <source>CRITICAL</source>
        <translation>क्रिटिकल</translation>
    </message>
    <message>
        <source>High ▲</source>
        <translation>अधिक ▲</translation>
    </message>
    <message>
        <source>Low ▼</source>
        <translation>कम ▼</translation>
    </message>
    <message>
        <source>Abnormal</source>
        <translation>असामान्य</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>सामान्य</translation>
    </message>
    <message>
        <source>Scan the sample label first.</source>
        <translation>पहले नमूने का लेबल स्कैन करें।</translation>
    </message>
    <message>
        <source>Type at least one result.</source>
        <translation>कम से कम एक परिणाम लिखें।</translation>
    </message>
    <message numerus="yes">
        <source>Saved %n result(s) for accession {id}.</source>
        <translation>
            <numerusform>एक्सेशन {id} के %n परिणाम सेव हुए।</numerusform>
            <numerusform>एक्सेशन {id} के %n परिणाम सेव हुए।</numerusform>
        </translation>
    </message>
    <message>
        <source>CRITICAL: {values}. Telephone the ward now and write down who took the message.</source>
        <translation>क्रिटिकल: {values}। अभी वार्ड को फ़ोन करें और लिखें कि संदेश किसने लिया।</translation>
    </message>
    <message>
        <source>Save and print the report (Ctrl+Enter)</source>
        <translation>सेव करें और रिपोर्ट प्रिंट करें (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Only lab staff can enter results. Log in with a lab staff ID.</source>
        <translation>परिणाम केवल लैब स्टाफ़ दर्ज कर सकता है। लैब स्टाफ़ आईडी से लॉग इन करें।</translation>
    </message>
    <message>
        <source>Accession {id}: {sample}, {priority}. Tests: {tests}</source>
        <translation>एक्सेशन {id}: {sample}, {priority}। जाँचें: {tests}</translation>
    </message>
    <message>
        <source>Accession {id} was requested on another PC. Add the tests written on its requisition below.</source>
        <translation>एक्सेशन {id} का अनुरोध किसी दूसरे PC पर हुआ था। उसके माँग पत्र पर लिखी जाँचें नीचे जोड़ें।</translation>
    </message>
    <message numerus="yes">
        <source>Already entered here: %n result(s).</source>
        <translation>
            <numerusform>यहाँ पहले से दर्ज: %n परिणाम।</numerusform>
            <numerusform>यहाँ पहले से दर्ज: %n परिणाम।</numerusform>
        </translation>
    </message>
    <message>
        <source>Scan the sample label, or type the accession number, then Enter:</source>
        <translation>नमूने का लेबल स्कैन करें, या एक्सेशन संख्या लिखकर Enter दबाएँ:</translation>
    </message>
    <message>
        <source>Add a test from the requisition (type, then Enter):</source>
        <translation>माँग पत्र से जाँच जोड़ें (लिखें, फिर Enter):</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>जाँच</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>परिणाम</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>इकाई</translation>
    </message>
    <message>
        <source>Reference range</source>
        <translation>सामान्य सीमा</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>संकेत</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Screen locked</source>
        <translation>स्क्रीन लॉक है</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>अनलॉक करें</translation>
    </message>
    <message>
        <source>{name} was logged out after {minutes} min without use. Type your PIN to carry on, or another staff ID to log in instead.</source>
        <translation>{minutes} मिनट तक उपयोग न होने पर {name} लॉग आउट हो गए। जारी रखने के लिए अपना PIN लिखें, या किसी दूसरी स्टाफ़ आईडी से लॉग इन करें।</translation>
    </message>
</context>
<context>
    <name>LoginWindow</name>
    <message>
        <source>Downtime toolkit — log in</source>
        <translation>डाउनटाइम टूलकिट — लॉग इन</translation>
    </message>
    <message>
        <source>Log in with your staff ID and PIN</source>
        <translation>अपनी स्टाफ़ आईडी और PIN से लॉग इन करें</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>लॉग इन करें</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Downtime toolkit — {site}</source>
        <translation>डाउनटाइम टूलकिट — {site}</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>लॉग आउट</translation>
    </message>
    <message>
        <source>{what} is not available to the {role} role.</source>
        <translation>{what} {role} भूमिका के लिए उपलब्ध नहीं है।</translation>
    </message>
    <message>
        <source>Open the patient first: search by name, or scan the wristband.</source>
        <translation>पहले रोगी खोलें: नाम से खोजें, या कलाई पट्टी स्कैन करें।</translation>
    </message>
    <message>
        <source>Select a record first (arrow keys), then press F12.</source>
        <translation>पहले एक रिकॉर्ड चुनें (तीर वाली कुंजियाँ), फिर F12 दबाएँ।</translation>
    </message>
    <message>
        <source>Ward census</source>
        <translation>वार्ड सेंसस</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>शॉर्टकट</translation>
    </message>
    <message>
        <source>Print summary</source>
        <translation>सारांश प्रिंट करें</translation>
    </message>
    <message>
        <source>Print lab report</source>
        <translation>लैब रिपोर्ट प्रिंट करें</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>वापस</translation>
    </message>
</context>
<context>
    <name>MatchList</name>
    <message>
        <source>Likely already registered — check before saving</source>
        <translation>शायद पहले से पंजीकृत — सेव करने से पहले जाँच लें</translation>
    </message>
    <message>
        <source>None of these: register as a NEW patient</source>
        <translation>इनमें से कोई नहीं: नए रोगी के रूप में पंजीकरण करें</translation>
    </message>
</context>
<context>
    <name>MatchPanel</name>
    <message>
        <source>&amp;Show:</source>
        <translation>दिखाएँ (&amp;S):</translation>
    </message>
    <message>
        <source>To review</source>
        <translation>जाँच बाकी</translation>
    </message>
    <message>
        <source>All decided</source>
        <translation>सभी निर्णय</translation>
    </message>
    <message>
        <source>Downtime ID</source>
        <translation>डाउनटाइम आईडी</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>निर्णय</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>नाम</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>कारण:</translation>
    </message>
    <message>
        <source>Why (needed to reject; optional otherwise)</source>
        <translation>क्यों (अस्वीकार के लिए आवश्यक; अन्यथा वैकल्पिक)</translation>
    </message>
    <message>
        <source>Accept suggested (A)</source>
        <translation>सुझाया गया स्वीकारें (A)</translation>
    </message>
    <message>
        <source>Link selected (Enter)</source>
        <translation>चुना गया जोड़ें (Enter)</translation>
    </message>
    <message>
        <source>Reject selected (R)</source>
        <translation>चुना गया अस्वीकारें (R)</translation>
    </message>
    <message>
        <source>New patient (N)</source>
        <translation>नया रोगी (N)</translation>
    </message>
    <message>
        <source>Decisions on this registration:</source>
        <translation>इस पंजीकरण पर निर्णय:</translation>
    </message>
    <message>
        <source>Nothing to review</source>
        <translation>जाँच के लिए कुछ नहीं</translation>
    </message>
    <message>
        <source>Every registration has a decision. Choose &quot;All decided&quot; to revisit one.</source>
        <translation>हर पंजीकरण का निर्णय हो चुका है। किसी को दोबारा देखने के लिए &quot;सभी निर्णय&quot; चुनें।</translation>
    </message>
    <message>
        <source>Now: {decision}{uhid} (by {who})</source>
        <translation>अभी: {decision}{uhid} ({who} द्वारा)</translation>
    </message>
    <message>
        <source>the matcher</source>
        <translation>मिलान प्रणाली</translation>
    </message>
    <message>
        <source>a records officer</source>
        <translation>रिकॉर्ड अधिकारी</translation>
    </message>
    <message>
        <source>Matcher: {reason}</source>
        <translation>मिलान प्रणाली: {reason}</translation>
    </message>
    <message>
        <source>The matcher&apos;s candidates were not kept for this registration: run &apos;reconcile match&apos; again to see them.</source>
        <translation>इस पंजीकरण के संभावित रोगी सहेजे नहीं गए: उन्हें देखने के लिए &apos;reconcile match&apos; फिर से चलाएँ।</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>अभी कोई नहीं</translation>
    </message>
    <message>
        <source>accepted {uhid}</source>
        <translation>{uhid} स्वीकारा</translation>
    </message>
    <message>
        <source>linked {uhid}</source>
        <translation>{uhid} से जोड़ा</translation>
    </message>
    <message>
        <source>rejected {uhid}</source>
        <translation>{uhid} अस्वीकारा</translation>
    </message>
    <message>
        <source>marked new</source>
        <translation>नया रोगी माना</translation>
    </message>
    <message>
        <source>matched</source>
        <translation>मिलान हुआ</translation>
    </message>
    <message>
        <source>new</source>
        <translation>नया</translation>
    </message>
    <message>
        <source>to review</source>
        <translation>जाँच बाकी</translation>
    </message>
    <message>
        <source>Write why {uhid} is not this patient, then press Enter (Esc: back).</source>
        <translation>लिखें कि {uhid} यह रोगी क्यों नहीं है, फिर Enter दबाएँ (Esc: वापस)।</translation>
    </message>
    <message>
        <source>{who} linked to {uhid}. Saved with your staff ID.</source>
        <translation>{who} को {uhid} से जोड़ा गया। आपकी स्टाफ़ आईडी के साथ सेव हुआ।</translation>
    </message>
    <message>
        <source>{uhid} rejected for {who}; it stays in review until you link or mark it new.</source>
        <translation>{who} के लिए {uhid} अस्वीकार; जोड़ने या नया रोगी मानने तक यह जाँच में रहेगा।</translation>
    </message>
    <message>
        <source>{who} marked as a new patient. Saved with your staff ID.</source>
        <translation>{who} को नया रोगी माना गया। आपकी स्टाफ़ आईडी के साथ सेव हुआ।</translation>
    </message>
</context>
<context>
    <name>MotherFlow</name>
    <message>
        <source>This patient is recorded as male. Open the mother&apos;s record first.</source>
        <translation>यह रोगी पुरुष के रूप में दर्ज है। पहले माँ का रिकॉर्ड खोलें।</translation>
    </message>
</context>
<context>
    <name>NewbornScreen</name>
    <message>
        <source>Register the newborn of this mother</source>
        <translation>इस माँ के नवजात का पंजीकरण करें</translation>
    </message>
</context>
<context>
    <name>PassphraseWindow</name>
    <message>
        <source>Match review — records-office passphrase</source>
        <translation>मिलान जाँच — रिकॉर्ड अनुभाग का पासफ़्रेज़</translation>
    </message>
    <message>
        <source>Type the records-office passphrase</source>
        <translation>रिकॉर्ड अनुभाग का पासफ़्रेज़ लिखें</translation>
    </message>
    <message>
        <source>Open the review (Enter)</source>
        <translation>जाँच खोलें (Enter)</translation>
    </message>
    <message>
        <source>Esc logs you out.</source>
        <translation>Esc दबाने पर आप लॉग आउट हो जाएँगे।</translation>
    </message>
    <message>
        <source>Type the passphrase first.</source>
        <translation>पहले पासफ़्रेज़ लिखें।</translation>
    </message>
</context>
<context>
    <name>PatientConfirmation</name>
    <message>
        <source>Check the patient before printing</source>
        <translation>प्रिंट करने से पहले रोगी की पुष्टि करें</translation>
    </message>
    <message>
        <source>Yes, this patient: save and print (Enter)</source>
        <translation>हाँ, यही रोगी: सेव और प्रिंट करें (Enter)</translation>
    </message>
    <message>
        <source>No, go back (Esc)</source>
        <translation>नहीं, वापस जाएँ (Esc)</translation>
    </message>
</context>
<context>
    <name>PatientScreen</name>
    <message>
        <source>Medicine</source>
        <translation>दवा</translation>
    </message>
    <message>
        <source>Dose</source>
        <translation>खुराक</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>कब से</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>जाँच</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>परिणाम</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>सीमा</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>संकेत</translation>
    </message>
    <message>
        <source>Taken</source>
        <translation>नमूना लिया गया</translation>
    </message>
    <message>
        <source>Admission now</source>
        <translation>वर्तमान भर्ती</translation>
    </message>
    <message>
        <source>Active medicines (from the HMIS)</source>
        <translation>चल रही दवाएँ (HMIS से)</translation>
    </message>
    <message>
        <source>Recent results (abnormal in red)</source>
        <translation>हाल के जाँच परिणाम (असामान्य लाल रंग में)</translation>
    </message>
    <message>
        <source>Downtime records on this PC (F12 corrects or cancels the selected one)</source>
        <translation>इस PC पर डाउनटाइम रिकॉर्ड (चुने गए रिकॉर्ड में सुधार करने या रद्द करने के लिए F12)</translation>
    </message>
    <message>
        <source>Select a lab request or lab result in the list first (arrow keys), then press Ctrl+R.</source>
        <translation>पहले सूची में लैब अनुरोध या लैब परिणाम चुनें (तीर कुंजियाँ), फिर Ctrl+R दबाएँ।</translation>
    </message>
    <message>
        <source>Registered during the downtime: the HMIS has no record of this patient yet.</source>
        <translation>डाउनटाइम में पंजीकृत: HMIS में अभी इस रोगी का कोई रिकॉर्ड नहीं है।</translation>
    </message>
    <message>
        <source>Medicines, results and allergies from the HMIS snapshot of {when}.</source>
        <translation>दवाएँ, परिणाम और एलर्जी {when} के HMIS स्नैपशॉट से।</translation>
    </message>
    <message>
        <source>Not admitted.</source>
        <translation>भर्ती नहीं।</translation>
    </message>
    <message>
        <source>IP number {ip}</source>
        <translation>आईपी नंबर {ip}</translation>
    </message>
    <message>
        <source>bed {bed}</source>
        <translation>बेड {bed}</translation>
    </message>
    <message>
        <source>since {when}</source>
        <translation>{when} से</translation>
    </message>
    <message>
        <source>(admitted during the downtime)</source>
        <translation>(डाउनटाइम में भर्ती)</translation>
    </message>
</context>
<context>
    <name>PinForm</name>
    <message>
        <source>Staff ID</source>
        <translation>स्टाफ़ आईडी</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>New PIN</source>
        <translation>नया PIN</translation>
    </message>
    <message>
        <source>New PIN again</source>
        <translation>नया PIN दोबारा</translation>
    </message>
    <message>
        <source>Choose a new PIN of 6 to 12 digits.</source>
        <translation>6 से 12 अंकों का नया PIN चुनें।</translation>
    </message>
    <message>
        <source>The two new PINs differ; type the new PIN again.</source>
        <translation>दोनों नए PIN अलग हैं; नया PIN फिर से लिखें।</translation>
    </message>
    <message>
        <source>Type your staff ID.</source>
        <translation>अपनी स्टाफ़ आईडी लिखें।</translation>
    </message>
    <message>
        <source>Type your PIN.</source>
        <translation>अपना PIN लिखें।</translation>
    </message>
</context>
<context>
    <name>PrintingWorkflow</name>
    <message>
        <source>Type a few letters of the name</source>
        <translation>नाम के कुछ अक्षर टाइप करें</translation>
    </message>
    <message>
        <source>Type the bed number; ↓ lists the free beds</source>
        <translation>बेड नंबर टाइप करें; ↓ से खाली बेड की सूची</translation>
    </message>
    <message>
        <source>{what} saved{id}.</source>
        <translation>{what} सेव हुआ{id}।</translation>
    </message>
</context>
<context>
    <name>RegisterScreen</name>
    <message>
        <source>Save (Ctrl+Enter)</source>
        <translation>सेव करें (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>This patient may already be registered. Enter on “None of these” registers a new patient; Enter on a name opens that patient instead. Esc goes back to the form.</source>
        <translation>यह रोगी शायद पहले से पंजीकृत है। “इनमें से कोई नहीं” पर Enter दबाने से नया पंजीकरण होगा; किसी नाम पर Enter दबाने से वही रोगी खुलेगा। Esc से फ़ॉर्म पर वापस जाएँ।</translation>
    </message>
    <message>
        <source>Opened the existing patient {name}; nothing new was registered.</source>
        <translation>पहले से पंजीकृत रोगी {name} खोला गया; कोई नया पंजीकरण नहीं हुआ।</translation>
    </message>
</context>
<context>
    <name>ReviewApp</name>
    <message>
        <source>Match review — log in</source>
        <translation>मिलान जाँच — लॉग इन</translation>
    </message>
</context>
<context>
    <name>ReviewWindow</name>
    <message>
        <source>Match review — {site}</source>
        <translation>मिलान जाँच — {site}</translation>
    </message>
    <message>
        <source>Match review</source>
        <translation>मिलान जाँच</translation>
    </message>
    <message>
        <source>{name} ({staff})</source>
        <translation>{name} ({staff})</translation>
    </message>
    <message>
        <source>Log out (Ctrl+L)</source>
        <translation>लॉग आउट (Ctrl+L)</translation>
    </message>
    <message>
        <source>{left} of {total} left</source>
        <translation>{total} में से {left} बाकी</translation>
    </message>
    <message>
        <source>&amp;1  Matches ({left} left)</source>
        <translation>&amp;1  मिलान ({left} बाकी)</translation>
    </message>
    <message>
        <source>&amp;2  Import conflicts ({count} open)</source>
        <translation>&amp;2  आयात टकराव ({count} खुले)</translation>
    </message>
</context>
<context>
    <name>Sex</name>
    <message>
        <source>Male</source>
        <translation>पुरुष</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>महिला</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>अन्य</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <source>Show or hide this list of shortcuts</source>
        <translation>शॉर्टकट की यह सूची दिखाएँ या छिपाएँ</translation>
    </message>
    <message>
        <source>Go to the search box</source>
        <translation>खोज बॉक्स पर जाएँ</translation>
    </message>
    <message>
        <source>In the search box: open the highlighted patient, or the scanned code</source>
        <translation>खोज बॉक्स में: चुना हुआ रोगी, या स्कैन किया गया कोड खोलें</translation>
    </message>
    <message>
        <source>Move through search results and lists</source>
        <translation>खोज परिणामों और सूचियों में ऊपर-नीचे जाएँ</translation>
    </message>
    <message>
        <source>Ward census</source>
        <translation>वार्ड सेंसस</translation>
    </message>
    <message>
        <source>Correct or cancel the selected record</source>
        <translation>चुने गए रिकॉर्ड में सुधार करें या उसे रद्द करें</translation>
    </message>
    <message>
        <source>Print the patient summary or the census sheet on screen</source>
        <translation>स्क्रीन पर दिख रहा रोगी सारांश या सेंसस शीट प्रिंट करें</translation>
    </message>
    <message>
        <source>Print the lab report of the lab request or result selected</source>
        <translation>चुने गए लैब अनुरोध या परिणाम की लैब रिपोर्ट प्रिंट करें</translation>
    </message>
    <message>
        <source>Save the form on screen, and print its forms</source>
        <translation>स्क्रीन वाला फ़ॉर्म सेव करें और उसके फ़ॉर्म प्रिंट करें</translation>
    </message>
    <message>
        <source>Next / previous field</source>
        <translation>अगला / पिछला खाना</translation>
    </message>
    <message>
        <source>Cancel the form, or go back to the home screen</source>
        <translation>फ़ॉर्म कैंसल करें, या होम स्क्रीन पर वापस जाएँ</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>लॉग आउट</translation>
    </message>
    <message>
        <source>Switch between English and Hindi</source>
        <translation>अंग्रेज़ी और हिंदी के बीच बदलें</translation>
    </message>
    <message>
        <source>Large text on or off</source>
        <translation>बड़े अक्षर चालू या बंद</translation>
    </message>
</context>
<context>
    <name>SiteHeader</name>
    <message>
        <source>Device {device}</source>
        <translation>डिवाइस {device}</translation>
    </message>
    <message>
        <source>This PC is not set up</source>
        <translation>यह PC अभी सेट अप नहीं है</translation>
    </message>
</context>
<context>
    <name>StillbirthFlow</name>
    <message>
        <source>The still birth report (Form 3) will be printed for this mother. Is this the right patient? Check her wristband.</source>
        <translation>इस माँ के लिए मृत जन्म की रिपोर्ट (फ़ॉर्म 3) प्रिंट होगी। क्या यही सही रोगी है? उनकी कलाई पट्टी देखें।</translation>
    </message>
    <message>
        <source>Still birth report saved, number {id}.</source>
        <translation>मृत जन्म की रिपोर्ट सेव हुई, संख्या {id}।</translation>
    </message>
</context>
<context>
    <name>TestPicker</name>
    <message>
        <source>Find a test (type, then Enter to add):</source>
        <translation>जाँच खोजें (लिखें, फिर जोड़ने के लिए Enter):</translation>
    </message>
    <message>
        <source>e.g. CBC, KFT, sugar, urine</source>
        <translation>जैसे CBC, KFT, sugar, urine</translation>
    </message>
    <message>
        <source>Tests ordered (Delete removes one):</source>
        <translation>लिखी गई जाँचें (हटाने के लिए Delete):</translation>
    </message>
</context>
<context>
    <name>TransferScreen</name>
    <message>
        <source>Not admitted, as far as the snapshot and this PC know. Check the patient.</source>
        <translation>स्नैपशॉट और इस PC के अनुसार यह रोगी भर्ती नहीं है। रोगी की जाँच करें।</translation>
    </message>
</context>
<context>
    <name>WorkflowScreen</name>
    <message>
        <source>Save and print (Ctrl+Enter)</source>
        <translation>सेव और प्रिंट करें (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>कैंसल करें (Esc)</translation>
    </message>
</context>
</TS>
