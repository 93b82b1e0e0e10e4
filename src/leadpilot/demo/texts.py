"""Message wording for the demo conversations, in the contacts' languages (en, de, fr, es, pt-BR, nl, ja).

Placeholders: ``{first}`` contact's first name, ``{rep}`` the rep's first name, ``{company}``, ``{product}``,
``{plan}``, ``{price_month}``, ``{price_year}``, ``{seats}``, ``{seats_included}``, ``{tool}``, ``{site}``.
Prices quoted here come from the price list (see ``simulator``), so every figure a message states is in the
Product table.
"""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "intro": "Hi {first},\n\nI'm {rep} from Northwind Analytics. Teams like {company} use {product} to replace "
        "spreadsheet reporting with live dashboards. Would a 30-minute demo next week be useful?\n\nBest,\n{rep}",
        "reply_interested": "Hi {rep},\n\nThanks for reaching out. We are evaluating analytics tools this quarter, "
        "so a demo would be great. Which days work for you?\n\n{first}",
        "reply_pricing": "Hi {rep},\n\nBefore we book anything: what would it cost for about {seats} users?\n\n{first}",
        "reply_not_now": "Thanks {rep}, but this isn't a priority for us right now. Maybe next year.",
        "rep_answer": "Hi {first},\n\nThe {plan} plan is {price_month} per month ({price_year} billed yearly) and "
        "includes {seats_included} seats; extra seats come in packs of 5 for $75 per month. You can pick a demo slot "
        "here: {site}/demo\n\nBest,\n{rep}",
        "ack_not_now": "Understood, {first}, thanks for letting me know. I'll check back later in the year.",
        "chat_pricing": "Hi, how much is the {plan} plan?",
        "chat_integration": "Does Northwind connect to {tool}?",
        "ai_pricing": "The {plan} plan is {price_month} per month, or {price_year} per year billed annually, and "
        "includes {seats_included} seats. The full comparison is at {site}/pricing.",
        "ai_integration": "Yes, {tool} is a native integration: you connect it in a few minutes from Sources. "
        "Setup guide: {site}/integrations",
        "ai_handoff": "I'll bring in {rep} from our team, who will follow up with you shortly.",
        "support_question": "Hi, could you send us a copy of our last invoice? Our finance team needs it.",
        "support_answer": "Hi {first}, I've just emailed a copy of the invoice. Anything else I can help with?",
    },
    "de": {
        "intro": "Hallo {first},\n\nich bin {rep} von Northwind Analytics. Teams wie {company} ersetzen mit {product} "
        "ihr Excel-Reporting durch Live-Dashboards. Hätten Sie nächste Woche 30 Minuten für eine Demo?\n\n"
        "Viele Grüße\n{rep}",
        "reply_interested": "Hallo {rep},\n\ndanke für Ihre Nachricht. Wir prüfen gerade Analyse-Tools, eine Demo "
        "wäre also gut. Welche Tage passen Ihnen?\n\n{first}",
        "reply_pricing": "Hallo {rep},\n\nbevor wir einen Termin machen: Was würde es für etwa {seats} Nutzer "
        "kosten?\n\n{first}",
        "reply_not_now": "Danke, {rep}, aber das Thema hat bei uns gerade keine Priorität. Vielleicht nächstes Jahr.",
        "rep_answer": "Hallo {first},\n\nder Tarif {plan} kostet {price_month} pro Monat ({price_year} bei jährlicher "
        "Zahlung) und enthält {seats_included} Nutzer; weitere Nutzer gibt es in 5er-Paketen für $75 pro Monat. "
        "Einen Demo-Termin können Sie hier wählen: {site}/demo\n\nViele Grüße\n{rep}",
        "ack_not_now": "Verstanden, {first}, danke für die Rückmeldung. Ich melde mich später im Jahr noch einmal.",
        "chat_pricing": "Hallo, was kostet der Tarif {plan}?",
        "chat_integration": "Lässt sich Northwind mit {tool} verbinden?",
        "ai_pricing": "Der Tarif {plan} kostet {price_month} pro Monat oder {price_year} pro Jahr bei jährlicher "
        "Zahlung und enthält {seats_included} Nutzer. Den vollständigen Vergleich finden Sie unter {site}/pricing.",
        "ai_integration": "Ja, {tool} ist eine native Integration und in wenigen Minuten unter Quellen verbunden. "
        "Anleitung: {site}/integrations",
        "ai_handoff": "Ich hole {rep} aus unserem Team dazu, der sich in Kürze bei Ihnen meldet.",
        "support_question": "Hallo, könnten Sie uns eine Kopie der letzten Rechnung schicken? Unsere Buchhaltung "
        "braucht sie.",
        "support_answer": "Hallo {first}, ich habe Ihnen die Rechnungskopie gerade per E-Mail geschickt. Kann ich "
        "sonst noch helfen?",
    },
    "fr": {
        "intro": "Bonjour {first},\n\nJe suis {rep}, de Northwind Analytics. Des équipes comme {company} utilisent "
        "{product} pour remplacer leurs tableurs par des tableaux de bord en temps réel. Une démo de 30 minutes la "
        "semaine prochaine vous serait-elle utile ?\n\nBien cordialement,\n{rep}",
        "reply_interested": "Bonjour {rep},\n\nMerci pour votre message. Nous évaluons des outils d'analyse ce "
        "trimestre, une démo serait donc bienvenue. Quels jours vous conviennent ?\n\n{first}",
        "reply_pricing": "Bonjour {rep},\n\nAvant de fixer un rendez-vous : quel serait le coût pour environ {seats} "
        "utilisateurs ?\n\n{first}",
        "reply_not_now": "Merci {rep}, mais ce n'est pas une priorité pour nous en ce moment. Peut-être l'an prochain.",
        "rep_answer": "Bonjour {first},\n\nL'offre {plan} coûte {price_month} par mois ({price_year} en paiement "
        "annuel) et comprend {seats_included} utilisateurs ; les utilisateurs supplémentaires sont vendus par lots de "
        "5 pour $75 par mois. Vous pouvez choisir un créneau de démo ici : {site}/demo\n\nBien cordialement,\n{rep}",
        "ack_not_now": "C'est noté, {first}, merci pour votre retour. Je reviendrai vers vous plus tard dans l'année.",
        "chat_pricing": "Bonjour, combien coûte l'offre {plan} ?",
        "chat_integration": "Est-ce que Northwind se connecte à {tool} ?",
        "ai_pricing": "L'offre {plan} coûte {price_month} par mois, ou {price_year} par an en paiement annuel, et "
        "comprend {seats_included} utilisateurs. Le comparatif complet est sur {site}/pricing.",
        "ai_integration": "Oui, {tool} est une intégration native : elle se connecte en quelques minutes depuis "
        "Sources. Guide : {site}/integrations",
        "ai_handoff": "Je transmets à {rep}, de notre équipe, qui vous recontactera très vite.",
        "support_question": "Bonjour, pourriez-vous nous envoyer une copie de notre dernière facture ? Notre service "
        "comptable en a besoin.",
        "support_answer": "Bonjour {first}, je viens de vous envoyer la copie de la facture par e-mail. Puis-je vous "
        "aider pour autre chose ?",
    },
    "es": {
        "intro": "Hola {first}:\n\nSoy {rep}, de Northwind Analytics. Equipos como {company} usan {product} para "
        "sustituir los informes en hojas de cálculo por paneles en tiempo real. ¿Te vendría bien una demo de 30 "
        "minutos la próxima semana?\n\nUn saludo,\n{rep}",
        "reply_interested": "Hola {rep}:\n\nGracias por escribir. Estamos evaluando herramientas de análisis este "
        "trimestre, así que una demo nos vendría bien. ¿Qué días te vienen bien?\n\n{first}",
        "reply_pricing": "Hola {rep}:\n\nAntes de agendar nada: ¿cuánto costaría para unos {seats} "
        "usuarios?\n\n{first}",
        "reply_not_now": "Gracias, {rep}, pero ahora mismo no es una prioridad para nosotros. Quizá el año que viene.",
        "rep_answer": "Hola {first}:\n\nEl plan {plan} cuesta {price_month} al mes ({price_year} con pago anual) e "
        "incluye {seats_included} usuarios; los usuarios adicionales se venden en paquetes de 5 por $75 al mes. "
        "Puedes reservar una demo aquí: {site}/demo\n\nUn saludo,\n{rep}",
        "ack_not_now": "Entendido, {first}, gracias por avisar. Te escribo de nuevo más adelante este año.",
        "chat_pricing": "Hola, ¿cuánto cuesta el plan {plan}?",
        "chat_integration": "¿Northwind se conecta con {tool}?",
        "ai_pricing": "El plan {plan} cuesta {price_month} al mes, o {price_year} al año con pago anual, e incluye "
        "{seats_included} usuarios. La comparativa completa está en {site}/pricing.",
        "ai_integration": "Sí, {tool} es una integración nativa: se conecta en pocos minutos desde Fuentes. "
        "Guía: {site}/integrations",
        "ai_handoff": "Le paso tu consulta a {rep}, de nuestro equipo, que te escribirá en breve.",
        "support_question": "Hola, ¿nos podéis enviar una copia de la última factura? La necesita contabilidad.",
        "support_answer": "Hola {first}, te acabo de enviar la copia de la factura por correo. ¿Te ayudo con algo más?",
    },
    "pt-BR": {
        "intro": "Olá {first},\n\nSou {rep}, da Northwind Analytics. Equipes como a {company} usam o {product} para "
        "trocar relatórios em planilhas por painéis em tempo real. Uma demonstração de 30 minutos na próxima semana "
        "seria útil?\n\nAbraço,\n{rep}",
        "reply_interested": "Olá {rep},\n\nObrigado pelo contato. Estamos avaliando ferramentas de análise neste "
        "trimestre, então uma demonstração seria ótima. Quais dias funcionam para você?\n\n{first}",
        "reply_pricing": "Olá {rep},\n\nAntes de marcar: quanto custaria para cerca de {seats} usuários?\n\n{first}",
        "reply_not_now": "Obrigado, {rep}, mas isso não é prioridade para nós agora. Talvez no ano que vem.",
        "rep_answer": "Olá {first},\n\nO plano {plan} custa {price_month} por mês ({price_year} no pagamento anual) "
        "e inclui {seats_included} usuários; usuários extras são vendidos em pacotes de 5 por $75 por mês. Você pode "
        "escolher um horário para a demonstração aqui: {site}/demo\n\nAbraço,\n{rep}",
        "ack_not_now": "Entendido, {first}, obrigado pelo retorno. Volto a falar com você mais para o fim do ano.",
        "chat_pricing": "Olá, quanto custa o plano {plan}?",
        "chat_integration": "A Northwind se conecta ao {tool}?",
        "ai_pricing": "O plano {plan} custa {price_month} por mês, ou {price_year} por ano no pagamento anual, e "
        "inclui {seats_included} usuários. A comparação completa está em {site}/pricing.",
        "ai_integration": "Sim, o {tool} é uma integração nativa: a conexão leva poucos minutos em Fontes. "
        "Guia: {site}/integrations",
        "ai_handoff": "Vou chamar {rep}, do nosso time, que vai falar com você em breve.",
        "support_question": "Olá, vocês podem nos enviar uma cópia da última fatura? O financeiro precisa dela.",
        "support_answer": "Olá {first}, acabei de enviar a cópia da fatura por e-mail. Posso ajudar em algo mais?",
    },
    "nl": {
        "intro": "Hallo {first},\n\nIk ben {rep} van Northwind Analytics. Teams zoals {company} vervangen met "
        "{product} hun spreadsheetrapportages door live dashboards. Heeft u volgende week 30 minuten voor een "
        "demo?\n\nMet vriendelijke groet,\n{rep}",
        "reply_interested": "Hallo {rep},\n\nBedankt voor uw bericht. We vergelijken dit kwartaal analysetools, "
        "dus een demo komt goed uit. Welke dagen passen u?\n\n{first}",
        "reply_pricing": "Hallo {rep},\n\nVoordat we iets plannen: wat kost het voor ongeveer {seats} "
        "gebruikers?\n\n{first}",
        "reply_not_now": "Bedankt, {rep}, maar dit heeft nu geen prioriteit bij ons. Misschien volgend jaar.",
        "rep_answer": "Hallo {first},\n\nHet {plan}-abonnement kost {price_month} per maand ({price_year} bij "
        "jaarlijkse betaling) en bevat {seats_included} gebruikers; extra gebruikers koopt u per 5 voor $75 per "
        "maand. Een demo plant u hier: {site}/demo\n\nMet vriendelijke groet,\n{rep}",
        "ack_not_now": "Duidelijk, {first}, bedankt voor het laten weten. Ik neem later dit jaar weer contact op.",
        "chat_pricing": "Hallo, wat kost het {plan}-abonnement?",
        "chat_integration": "Kan Northwind koppelen met {tool}?",
        "ai_pricing": "Het {plan}-abonnement kost {price_month} per maand, of {price_year} per jaar bij jaarlijkse "
        "betaling, en bevat {seats_included} gebruikers. De volledige vergelijking staat op {site}/pricing.",
        "ai_integration": "Ja, {tool} is een standaardkoppeling: u verbindt hem in een paar minuten via Bronnen. "
        "Handleiding: {site}/integrations",
        "ai_handoff": "Ik schakel {rep} uit ons team in, die snel contact met u opneemt.",
        "support_question": "Hallo, kunt u ons een kopie van de laatste factuur sturen? Onze administratie heeft die "
        "nodig.",
        "support_answer": "Hallo {first}, ik heb de kopie van de factuur net gemaild. Kan ik nog ergens mee helpen?",
    },
    "ja": {
        "intro": "{first}様\n\nNorthwind Analyticsの{rep}です。{company}様のような企業では、{product}で"
        "スプレッドシートでのレポート作成をリアルタイムのダッシュボードに置き換えています。来週30分ほどデモのお時間を"
        "いただけますでしょうか。\n\n{rep}",
        "reply_interested": "{rep}様\n\nご連絡ありがとうございます。今期中に分析ツールを検討していますので、"
        "ぜひデモをお願いします。ご都合のよい日を教えてください。\n\n{first}",
        "reply_pricing": "{rep}様\n\n日程の前に、{seats}名ほどで利用する場合の料金を教えていただけますか。\n\n{first}",
        "reply_not_now": "{rep}様、ご連絡ありがとうございます。現在は優先度が低いため、"
        "来年改めてご相談させてください。",
        "rep_answer": "{first}様\n\n{plan}プランは月額{price_month}（年払いの場合は年額{price_year}）で、"  # noqa: RUF001 (Japanese punctuation)
        "{seats_included}名分のシートが含まれます。追加シートは5名ごとに月額$75です。デモのご予約はこちらから"
        "お願いします: {site}/demo\n\n{rep}",
        "ack_not_now": "{first}様、ご返信ありがとうございます。承知しました。また改めてご連絡いたします。",
        "chat_pricing": "{plan}プランの料金はいくらですか？",  # noqa: RUF001 (Japanese punctuation)
        "chat_integration": "Northwindは{tool}と連携できますか？",  # noqa: RUF001 (Japanese punctuation)
        "ai_pricing": "{plan}プランは月額{price_month}、年払いの場合は年額{price_year}で、{seats_included}名分の"
        "シートが含まれます。詳しい比較は{site}/pricing をご覧ください。",
        "ai_integration": "はい、{tool}とはネイティブ連携しており、「ソース」から数分で接続できます。"
        "手順: {site}/integrations",
        "ai_handoff": "担当の{rep}から追ってご連絡いたします。少々お待ちください。",
        "support_question": "前回の請求書の写しを送っていただけますか？経理部で必要です。",  # noqa: RUF001 (Japanese punctuation)
        "support_answer": "{first}様、請求書の写しをメールでお送りしました。ほかにお手伝いできることはありますか？",  # noqa: RUF001 (Japanese punctuation)
    },
}

SEQUENCE_SUBJECTS: dict[str, tuple[str, ...]] = {
    "en": ("Live dashboards for {company}?", "Quick follow-up", "How Harbor Outfitters cut reporting time by 70%",
           "Worth a 30-minute look?", "Should I close your file?", "One last note"),
    "de": ("Live-Dashboards für {company}?", "Kurze Nachfrage", "Wie Harbor Outfitters 70 % Reporting-Zeit spart",
           "30 Minuten wert?", "Soll ich Ihre Anfrage schließen?", "Eine letzte Nachricht"),
    "fr": ("Des tableaux de bord en temps réel pour {company} ?", "Petite relance",
           "Comment Harbor Outfitters a réduit de 70 % son temps de reporting", "30 minutes pour voir ?",
           "Dois-je clore votre dossier ?", "Un dernier mot"),
    "es": ("¿Paneles en tiempo real para {company}?", "Un breve seguimiento",
           "Cómo Harbor Outfitters redujo un 70 % el tiempo de informes", "¿Vale la pena verlo en 30 minutos?",
           "¿Cierro tu solicitud?", "Una última nota"),
    "pt-BR": ("Painéis em tempo real para a {company}?", "Um breve acompanhamento",
              "Como a Harbor Outfitters reduziu 70% do tempo de relatórios", "Vale 30 minutos?",
              "Posso encerrar seu contato?", "Uma última mensagem"),
    "nl": ("Live dashboards voor {company}?", "Korte follow-up", "Hoe Harbor Outfitters 70% rapportagetijd bespaart",
           "30 minuten waard?", "Zal ik uw aanvraag sluiten?", "Nog één bericht"),
    "ja": ("{company}様向けリアルタイムダッシュボードのご案内", "先日のご連絡について",
           "Harbor Outfittersがレポート作成時間を70%削減した方法", "30分だけお時間をいただけませんか",
           "ご案内を終了してもよろしいでしょうか", "最後のご連絡です"),
}  # fmt: skip


def template(language: str, key: str) -> str:
    return TEMPLATES.get(language, TEMPLATES["en"])[key]


def sequence_subject(language: str, step: int, *, company: str) -> str:
    subjects = SEQUENCE_SUBJECTS.get(language, SEQUENCE_SUBJECTS["en"])
    return subjects[min(step, len(subjects) - 1)].format(company=company)
