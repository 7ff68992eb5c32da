import AssureApp
print("bench")
